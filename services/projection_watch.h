// ProjectionWatch: checks the projections against the log on a schedule while ledgerd serves,
// and keeps the health (serving_health.h) in step with what the checks found.
//
// Every `interval` it runs ProjectionRunner::Verify; a projection whose stored state differs from
// the log makes the ledger NOT_SERVING under the source "projections", with the first differing
// key, until it is rebuilt (the watch notices a rebuild within a second). A projection stopped at
// a bad event is reported the same way.
//
// Ownership: the runner and the health are not owned and must outlive the watch. Stop() (or the
// destructor) ends the thread.
#ifndef ENGAGEMENT_SERVICES_PROJECTION_WATCH_H_
#define ENGAGEMENT_SERVICES_PROJECTION_WATCH_H_

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "projections/projection_runner.h"
#include "services/serving_health.h"

namespace services {

class ProjectionWatch {
 public:
  // `interval` zero: no scheduled checks (the health still follows VerifyProjections calls and
  // stopped projections).
  ProjectionWatch(projections::ProjectionRunner* runner, ServingHealth* health,
                  absl::Duration interval);
  ~ProjectionWatch();
  void Stop();

 private:
  void Run();
  // Sets or clears the "projections" problem from the runner's statuses.
  void Publish();

  projections::ProjectionRunner* runner_;
  ServingHealth* health_;
  absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_PROJECTION_WATCH_H_
