#include <gtest/gtest.h>

#include "linecrew/core/compliance.h"
#include "linecrew/core/policy.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;

// The worked case of rules §2: an urban customer reports at 14:05.
class WorkedCase : public ::testing::Test {
 protected:
  const ServicePolicy policy{};
  const TimePoint deadline = policy.deadline(at("14:05"), ZoneClass::kUrban);
  const TimePoint later = at("18:00");
};

TEST_F(WorkedCase, DeadlineIs1450) {
  EXPECT_EQ(deadline, at("14:50"));
}

TEST_F(WorkedCase, ArrivalAt1500WithoutACallIsAViolationTenMinutesLate) {
  const auto v = evaluate_compliance(deadline, at("15:00"), {}, later);
  EXPECT_EQ(v.compliance, Compliance::kViolation);
  EXPECT_EQ(v.late_by, minutes(10));
  EXPECT_NE(v.reason.find("10 min late"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("no call"), std::string::npos) << v.reason;
}

TEST_F(WorkedCase, ConsentedCallAt1440For1500MakesItCompliant) {
  const std::vector<ContactRecord> calls = {{at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kYes}};
  EXPECT_EQ(effective_deadline(deadline, calls), at("15:00"));
  const auto v = evaluate_compliance(deadline, at("15:00"), calls, later);
  EXPECT_EQ(v.compliance, Compliance::kLateExcused);
  EXPECT_EQ(v.late_by, minutes(10));
  EXPECT_EQ(v.effective_deadline, at("15:00"));
  EXPECT_NE(v.reason.find("traffic"), std::string::npos) << v.reason;
}

TEST_F(WorkedCase, ArrivingAfterTheAgreedTimeIsAViolationAgain) {
  const std::vector<ContactRecord> calls = {{at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kYes}};
  const auto v = evaluate_compliance(deadline, at("15:00") + seconds(1), calls, later);
  EXPECT_EQ(v.compliance, Compliance::kViolation);
  EXPECT_EQ(v.late_by, seconds(1));
  EXPECT_NE(v.reason.find("agreed time"), std::string::npos) << v.reason;
}

TEST_F(WorkedCase, NotExceedingMeansExactlyTheDeadlineIsOnTime) {
  EXPECT_EQ(evaluate_compliance(deadline, at("14:50"), {}, later).compliance, Compliance::kOnTime);
  EXPECT_EQ(evaluate_compliance(deadline, at("14:50") + seconds(1), {}, later).compliance, Compliance::kViolation);
}

TEST_F(WorkedCase, ACallAfterTheDeadlineExcusesNothing) {
  const std::vector<ContactRecord> calls = {{at("14:51"), DelayReason::kTraffic, at("15:10"), Consent::kYes}};
  EXPECT_EQ(effective_deadline(deadline, calls), deadline);
  const auto v = evaluate_compliance(deadline, at("15:05"), calls, later);
  EXPECT_EQ(v.compliance, Compliance::kViolation);
  EXPECT_NE(v.reason.find("only after the deadline"), std::string::npos) << v.reason;
}

TEST_F(WorkedCase, RefusedOrUnreachableStoresNoConsent) {
  for (const Consent c : {Consent::kRefused, Consent::kUnreachable}) {
    const std::vector<ContactRecord> calls = {{at("14:40"), DelayReason::kWeather, at("15:00"), c}};
    EXPECT_EQ(effective_deadline(deadline, calls), deadline);
    const auto v = evaluate_compliance(deadline, at("14:58"), calls, later);
    EXPECT_EQ(v.compliance, Compliance::kViolation);
    EXPECT_NE(v.reason.find("no new time was agreed"), std::string::npos) << v.reason;
  }
}

TEST_F(WorkedCase, ADroppedCallThenARedialWithConsentCounts) {
  const std::vector<ContactRecord> calls = {
      {at("14:41"), DelayReason::kTraffic, at("15:00"), Consent::kYes},
      {at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kUnreachable},  // out of order on purpose
  };
  EXPECT_EQ(evaluate_compliance(deadline, at("14:59"), calls, later).compliance, Compliance::kLateExcused);
}

TEST_F(WorkedCase, ReBookingBeforeTheAgreedTimeMovesItAgain) {
  const std::vector<ContactRecord> calls = {
      {at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kYes},
      {at("14:55"), DelayReason::kTraffic, at("15:20"), Consent::kYes},  // before 15:00, the deadline then
      {at("15:25"), DelayReason::kTraffic, at("15:40"), Consent::kYes},  // too late: after 15:20
  };
  EXPECT_EQ(effective_deadline(deadline, calls), at("15:20"));
  EXPECT_EQ(evaluate_compliance(deadline, at("15:20"), calls, later).compliance, Compliance::kLateExcused);
  EXPECT_EQ(evaluate_compliance(deadline, at("15:30"), calls, later).compliance, Compliance::kViolation);
}

TEST_F(WorkedCase, WithoutArrivalItIsPendingUntilTheEffectiveDeadlinePasses) {
  EXPECT_EQ(evaluate_compliance(deadline, std::nullopt, {}, at("14:30")).compliance, Compliance::kPending);
  const auto overdue = evaluate_compliance(deadline, std::nullopt, {}, at("15:10"));
  EXPECT_EQ(overdue.compliance, Compliance::kViolation);
  EXPECT_EQ(overdue.late_by, minutes(20));
  const std::vector<ContactRecord> calls = {{at("14:40"), DelayReason::kTraffic, at("15:30"), Consent::kYes}};
  EXPECT_EQ(evaluate_compliance(deadline, std::nullopt, calls, at("15:10")).compliance, Compliance::kPending);
}

TEST(ContactRecord, AgreedTimeMustBeAfterTheCall) {
  testing::expect_error(
      [] {
        validate({at("14:40"), DelayReason::kTraffic, at("14:30"), Consent::kYes});
      },
      ErrorCode::kInvalidArgument, "proposed_time");
  EXPECT_EQ(parse_delay_reason("previous_job_overran"), DelayReason::kPreviousJobOverran);
  EXPECT_EQ(parse_consent("unreachable"), Consent::kUnreachable);
  EXPECT_FALSE(parse_consent("maybe").has_value());
}

}  // namespace
}  // namespace linecrew
