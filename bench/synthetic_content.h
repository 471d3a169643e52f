// The words of the synthetic log (synthetic_log.cc): organisations, topics, themes, bodies.
#ifndef ENGAGEMENT_BENCH_SYNTHETIC_CONTENT_H_
#define ENGAGEMENT_BENCH_SYNTHETIC_CONTENT_H_

#include <cstddef>
#include <cstdint>

namespace bench::synthetic {

// ICB ODS codes.
inline constexpr const char* kOrganisations[] = {
    "QWE", "QKK", "QMJ", "QRV", "QMF", "QOP", "QWO", "QHM", "QJK", "QUY",
    "QSL", "QOX", "QNQ", "QRL", "QXU", "QKS", "QNX", "QE1", "QYG", "QF7"};
inline constexpr const char* kTopics[] = {
    "Diabetes", "Urgent care", "Maternity", "Mental health", "Musculoskeletal services",
    "Respiratory care", "Cancer screening", "Dementia", "Community nursing", "Primary care access",
    "Learning disability health checks", "End of life care", "Children's services", "Stroke",
    "Weight management"};
inline constexpr const char* kThemes[] = {
    "Access out of hours", "Transport to appointments", "Information in plain English",
    "Community languages", "Digital exclusion", "Waiting times", "Continuity of care",
    "Carers' needs", "Peer support", "Venue accessibility", "Cost of attending",
    "Joined-up care", "Being listened to", "Cultural understanding", "Booking appointments"};
inline constexpr const char* kBodies[] = {
    "Governing Body", "Primary Care Commissioning Committee", "Quality Committee",
    "Executive Management Team", "Joint Commissioning Committee"};
inline constexpr const char* kAudienceSummaries[] = {
    "You said, we did: what changed because of your views.",
    "An update on the decisions taken after the sessions you attended.",
    "What we heard and what the committee decided, with the reasons."};

template <size_t N>
const char* PickFrom(const char* const (&list)[N], uint64_t r) { return list[r % N]; }

}  // namespace bench::synthetic

#endif  // ENGAGEMENT_BENCH_SYNTHETIC_CONTENT_H_
