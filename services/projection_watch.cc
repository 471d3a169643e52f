#include "services/projection_watch.h"

#include <pthread.h>

#include <string>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace services {

ProjectionWatch::ProjectionWatch(projections::ProjectionRunner* runner, ServingHealth* health,
                                 absl::Duration interval)
    : runner_(runner), health_(health), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

ProjectionWatch::~ProjectionWatch() { Stop(); }

void ProjectionWatch::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ProjectionWatch::Run() {
  pthread_setname_np(pthread_self(), "projection-chk");
  absl::Time next_check =
      interval_ > absl::ZeroDuration() ? absl::Now() + interval_ : absl::InfiniteFuture();
  while (!stop_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
    if (absl::Now() >= next_check) {
      absl::StatusOr<std::vector<projections::ProjectionCheck>> checked = runner_->Verify();
      if (!checked.ok()) {
        health_->Set("projection check", absl::StrCat("the scheduled check could not run: ",
                                                      checked.status().message()));
      } else {
        health_->Clear("projection check");
      }
      next_check = absl::Now() + interval_;
    }
    Publish();
  }
}

void ProjectionWatch::Publish() {
  std::vector<std::string> problems;
  for (const projections::ProjectionStatus& status : runner_->Statuses()) {
    if (!status.check.ok()) problems.push_back(std::string(status.check.message()));
    if (!status.error.ok()) problems.push_back(std::string(status.error.message()));
  }
  if (problems.empty()) {
    health_->Clear("projections");
  } else {
    health_->Set("projections", absl::StrJoin(problems, "; "));
  }
}

}  // namespace services
