#include "services/append_stream.h"

#include <deque>
#include <optional>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "services/append_preparation.h"
#include "services/grpc_status.h"

namespace services {
namespace {

using engagement::v1::AppendStreamRequest;
using engagement::v1::AppendStreamResponse;

constexpr size_t kMaxCorrelationId = 128;

class RefusedCall final : public grpc::ServerBidiReactor<AppendStreamRequest, AppendStreamResponse> {
 public:
  explicit RefusedCall(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

class AppendStreamReactor final
    : public grpc::ServerBidiReactor<AppendStreamRequest, AppendStreamResponse> {
 public:
  AppendStreamReactor(ledger::EventLog* log, ledger::SubjectKeyStore* keys, CallerPtr caller)
      : log_(log), keys_(keys), caller_(std::move(caller)) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client has half-closed (or gone)
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;
        finish = FinishNowLocked();
      }
      FinishIf(finish);
      return;
    }
    auto slot = std::make_shared<Slot>();
    slot->response.set_correlation_id(request_.correlation_id());
    absl::StatusOr<ledger::AppendBatch> batch =
        request_.correlation_id().size() > kMaxCorrelationId
            ? absl::InvalidArgumentError(
                  absl::StrCat("correlation_id: at most ", kMaxCorrelationId, " bytes"))
            : PrepareAppend(*caller_, request_.append(), *keys_);
    {
      absl::MutexLock lock(&mu_);
      slots_.push_back(slot);
      if (batch.ok()) ++appending_;
    }
    if (!batch.ok()) {
      Complete(slot, batch.status());
    } else {
      log_->AppendAsync(*std::move(batch),
                        [this, slot](absl::StatusOr<ledger::AppendResult> result) {
                          if (result.ok()) {
                            *slot->response.mutable_appended() =
                                ToAppendResponse(*std::move(result));
                            Complete(slot, absl::OkStatus(), /*appended=*/true);
                          } else {
                            Complete(slot, result.status(), /*appended=*/true);
                          }
                        });
    }
    absl::MutexLock lock(&mu_);
    if (slots_.size() < kMaxAppendsInFlight) {
      StartRead(&request_);
    } else {
      read_paused_ = true;
    }
  }

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      slots_.pop_front();
      if (!ok) broken_ = true;  // the client has gone: answers are dropped from now on
      if (read_paused_ && slots_.size() < kMaxAppendsInFlight && !broken_) {
        read_paused_ = false;
        StartRead(&request_);
      }
      WriteFrontLocked();
      finish = FinishNowLocked();
    }
    FinishIf(finish);
  }

  void OnCancel() override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      finish = FinishNowLocked();
    }
    FinishIf(finish);
  }

  void OnDone() override { delete this; }

 private:
  struct Slot {
    AppendStreamResponse response;
    bool done = false;
  };

  void Complete(const std::shared_ptr<Slot>& slot, const absl::Status& status,
                bool appended = false) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (!status.ok()) {
        slot->response.mutable_refused()->set_code(static_cast<int>(status.code()));
        slot->response.mutable_refused()->set_message(std::string(status.message()));
      }
      slot->done = true;
      if (appended) --appending_;
      WriteFrontLocked();
      finish = FinishNowLocked();
    }
    FinishIf(finish);
  }

  // Writes the oldest answer once it is ready (answers go in request order, one at a time).
  void WriteFrontLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (broken_) {  // nobody to answer: forget the answers that are ready
      while (!writing_ && !slots_.empty() && slots_.front()->done) slots_.pop_front();
      return;
    }
    if (writing_ || slots_.empty() || !slots_.front()->done) return;
    writing_ = true;
    StartWrite(&slots_.front()->response);
  }

  // Whether the call can end now: nothing left to read, write or wait for (the log's callbacks
  // hold `this`, so the call never ends before they have all run), and with which status. The
  // caller calls Finish() with it after releasing mu_, as its very last step: OnDone() may delete
  // this at once.
  std::optional<grpc::Status> FinishNowLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_ || appending_ > 0) return std::nullopt;
    if (broken_) {
      if (!reads_done_ && !read_paused_) return std::nullopt;  // a read is still outstanding
      finished_ = true;
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    if (!reads_done_ || !slots_.empty()) return std::nullopt;
    finished_ = true;
    return grpc::Status::OK;
  }

  void FinishIf(const std::optional<grpc::Status>& status) {
    if (status.has_value()) Finish(*status);
  }

  ledger::EventLog* const log_;
  ledger::SubjectKeyStore* const keys_;
  const CallerPtr caller_;
  AppendStreamRequest request_;  // the read in progress (one at a time)

  absl::Mutex mu_;
  std::deque<std::shared_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // unanswered, in request order
  size_t appending_ ABSL_GUARDED_BY(mu_) = 0;  // handed to the log, not yet back
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerBidiReactor<AppendStreamRequest, AppendStreamResponse>* NewAppendStream(
    ledger::EventLog* log, ledger::SubjectKeyStore* keys, const absl::StatusOr<CallerPtr>& caller) {
  if (!caller.ok()) return new RefusedCall(caller.status());
  return new AppendStreamReactor(log, keys, *caller);
}

}  // namespace services
