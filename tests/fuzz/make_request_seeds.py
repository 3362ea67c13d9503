#!/usr/bin/python3
"""Writes the seed corpus of requests_fuzz (corpus/requests/): one valid
request of each kind the fuzzer decodes, the first byte choosing the kind as
requests_fuzz.cc does. Run from anywhere with Debian's python3 (/usr/bin/python3, which has
python3-protobuf; protoc too: both installed by scripts/setup.sh)."""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", ".."))
out_dir = os.path.join(here, "corpus", "requests")

with tempfile.TemporaryDirectory() as gen:
    protos = [os.path.join("linecrew/v1", p) for p in sorted(os.listdir(os.path.join(root, "proto/linecrew/v1")))]
    subprocess.run(["protoc", "-I", os.path.join(root, "proto"), "--python_out", gen] + protos, check=True)
    sys.path.insert(0, gen)
    from linecrew.v1 import common_pb2, crew_sync_pb2, customer_pb2, dispatch_pb2  # noqa: E402

    def ts(msg, seconds):
        msg.seconds = seconds

    now = 1796220300  # 2026-12-02T14:05:00Z
    seeds = {}

    t = dispatch_pb2.CreateTicketRequest()
    t.client_request_id = "hotline-1"
    t.customer.name = "Li Na"
    t.customer.phone = "+8613800138000"
    t.address = "12 West Lake Road"
    t.location.lat, t.location.lon = 30.26, 120.16
    ts(t.first_contact_time, now - 60)
    t.first_contact_channel = common_pb2.CHANNEL_HOTLINE
    t.priority = 2
    t.required_skills.append("lv")
    t.service_duration.seconds = 1800
    seeds["create_ticket"] = bytes([0]) + t.SerializeToString()

    f = dispatch_pb2.ListTicketsRequest()
    f.page_size = 50
    ts(f.first_contact_from, now - 3600)
    seeds["list_tickets"] = bytes([1]) + f.SerializeToString()

    u = dispatch_pb2.UpdateCrewRequest()
    u.crew.id = "C-1"
    u.crew.name = "Crew one"
    m = u.crew.members.add()
    m.first_name, m.staff_number = "Wei", "A1024"
    u.crew.skills.append("lv")
    u.crew.home_position.lat, u.crew.home_position.lon = 30.25, 120.15
    u.update_mask.paths.extend(["name", "skills"])
    seeds["update_crew"] = bytes([2]) + u.SerializeToString()

    c = dispatch_pb2.ListCrewsRequest()
    c.page_size = 20
    c.skill = "lv"
    seeds["list_crews"] = bytes([3]) + c.SerializeToString()

    def action(op, kind):
        a = crew_sync_pb2.CrewAction()
        a.op_id = "00000000-0000-4000-8000-%012d" % op
        a.device_id = "dev-1"
        a.ticket_id = "T-000001"
        ts(a.device_time, now)
        if kind == "cause":
            a.cause_found.text = "大风刮断低压线"
        elif kind == "call":
            a.contact_attempt.reason = common_pb2.DELAY_REASON_TRAFFIC
            a.contact_attempt.consent = common_pb2.CONSENT_YES
            ts(a.contact_attempt.proposed_arrival_time, now + 1800)
        elif kind == "cannot":
            a.cannot_fix.reason = "needs a crane"
            ts(a.cannot_fix.committed_return_time, now + 86400)
        elif kind == "help":
            a.need_help.text = "倒树压线, 需要第二个班组"
        else:
            a.arrived.SetInParent()
        return a

    seeds["crew_action"] = bytes([4]) + action(1, "cause").SerializeToString()
    up = crew_sync_pb2.UploadRequest()
    for i, k in enumerate(["arrived", "cause", "call", "cannot", "help"]):
        up.actions.append(action(i + 2, k))
    ts(up.device_send_time, now + 5)
    seeds["upload"] = bytes([5]) + up.SerializeToString()

    r = dispatch_pb2.RegisterCrewRequest()
    r.crew.CopyFrom(u.crew)
    seeds["register_crew"] = bytes([6]) + r.SerializeToString()

    tok = dispatch_pb2.IssueTokenRequest()
    tok.role = dispatch_pb2.ROLE_CREW_DEVICE
    tok.crew_id = "C-1"
    tok.label = "handheld of crew one"
    tok.ttl.seconds = 86400
    seeds["issue_token"] = bytes([7]) + tok.SerializeToString()

    w = dispatch_pb2.WatchBoardRequest()
    w.zone_classes.extend([common_pb2.ZONE_CLASS_URBAN, common_pb2.ZONE_CLASS_RURAL])
    seeds["watch_board"] = bytes([8]) + w.SerializeToString()

    h = crew_sync_pb2.HelloRequest()
    h.device_id = "dev-1"
    h.app_version = "1.2.3"
    ts(h.device_time, now)
    seeds["hello"] = bytes([9]) + h.SerializeToString()

    cancel = dispatch_pb2.CancelTicketRequest()
    cancel.ticket_id = "T-000001"
    cancel.reason = "customer restored power herself"
    seeds["cancel_ticket"] = bytes([10]) + cancel.SerializeToString()

    pin = dispatch_pb2.PinTicketRequest()
    pin.ticket_id = "T-000001"
    pin.crew_id = "C-1"
    seeds["pin_ticket"] = bytes([11]) + pin.SerializeToString()

    rep = dispatch_pb2.GetReportRequest()
    ts(rep.__getattribute__("from"), now - 86400)
    ts(rep.to, now)
    seeds["get_report"] = bytes([12]) + rep.SerializeToString()

    pull = crew_sync_pb2.PullRequest()
    pull.cursor = 42
    pull.max_changes = 200
    pull.device_id = "dev-1"
    seeds["pull"] = bytes([13]) + pull.SerializeToString()

    st = customer_pb2.GetStatusRequest()
    st.tracking_token = "AbCdEfGhIjKlMnOpQrStUv"
    seeds["get_status"] = bytes([14]) + st.SerializeToString()

    d = dispatch_pb2.CreateTicketRequest()
    d.CopyFrom(t)
    d.client_request_id = "billing-1"
    d.kind = common_pb2.TICKET_KIND_DISCONNECTION
    ts(d.appointment_time, now + 6 * 86400)
    ts(d.disconnection_notice.delivered_time, now - 3 * 86400)
    d.disconnection_notice.method = common_pb2.NOTICE_DELIVERY_METHOD_IN_PERSON
    d.disconnection_notice.delivered_by = "S1024"
    d.parent_ticket_id = "T-000001"
    seeds["create_disconnection"] = bytes([0]) + d.SerializeToString()

    le = dispatch_pb2.ListEscalationsRequest()
    le.states.append(common_pb2.ESCALATION_STATE_OPEN)
    le.kinds.append(common_pb2.ESCALATION_KIND_STALLED)
    le.ticket_id = "T-000001"
    le.page_size = 100
    le.page_token = "T-000001/1"
    seeds["list_escalations"] = bytes([15]) + le.SerializeToString()

    re = dispatch_pb2.ResolveEscalationRequest()
    re.escalation_id = "T-000001/1"
    re.note = "called the crew: on its way"
    seeds["resolve_escalation"] = bytes([16]) + re.SerializeToString()

    rf = dispatch_pb2.RecordFollowUpRequest()
    rf.follow_up_id = "T-000001/F1"
    rf.outcome = common_pb2.FOLLOW_UP_OUTCOME_NEW_REQUEST
    rf.note = "reached on the second call"
    rf.new_request = "check the meter too"
    ts(rf.reply_by_time, now - 8 * 3600 + 86400)  # a day after 14:05 local (the fuzzer's desk time)
    seeds["record_follow_up"] = bytes([17]) + rf.SerializeToString()

    rc = dispatch_pb2.RecordComplaintRequest()
    rc.ticket_id = "T-000001"
    rc.name = "Li Na"
    rc.address = "12 West Lake Road"
    rc.phone = "13800138000"
    rc.cause = common_pb2.COMPLAINT_CAUSE_LATE_ARRIVAL
    rc.reason = "waited three hours"
    rc.severity = common_pb2.COMPLAINT_SEVERITY_SERIOUS
    seeds["record_complaint"] = bytes([18]) + rc.SerializeToString()

    cc = dispatch_pb2.RecordConfirmationCallRequest()
    cc.ticket_id = "T-000001"
    cc.outcome = dispatch_pb2.CONFIRMATION_OUTCOME_NEW_TIME_AGREED
    ts(cc.new_time, now - 8 * 3600 + 4 * 3600)  # 18:05 local, after the fuzzer's desk time
    seeds["record_confirmation"] = bytes([19]) + cc.SerializeToString()

    os.makedirs(out_dir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as fh:
            fh.write(data)
    print("wrote %d seeds to %s" % (len(seeds), out_dir))
