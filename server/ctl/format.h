// Output of linecrewctl: tables, JSON and CSV.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "linecrew/v1/dispatch.pb.h"

namespace linecrew::ctl {

std::string utc(const google::protobuf::Timestamp& ts);
// "TICKET_STATUS_EN_ROUTE" with prefix "TICKET_STATUS_" -> "en_route".
std::string lower_enum(const std::string& name, const std::string& prefix);
std::string zone(const v1::Ticket& t);
std::string status(const v1::Ticket& t);
void print_json(const google::protobuf::Message& m);
void print_table(const std::vector<const v1::Ticket*>& tickets);
void print_crews(const std::vector<const v1::Crew*>& crews, bool json);
void print_report(const v1::GetReportResponse& r, bool csv);
void print_escalations(const std::vector<const v1::Escalation*>& escalations);
void print_follow_ups(const std::vector<const v1::FollowUp*>& follow_ups);
void print_complaints(const std::vector<const v1::Complaint*>& complaints);

}  // namespace linecrew::ctl
