#include "timeline_printer.hpp"

#include "table.hpp"
#include "wording.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {

std::string timeline_head(const std::string& when, const std::string& campaign, const std::string& what) {
    // Fixed columns keep a season's timeline readable down the page.
    const auto pad = [](const std::string& text, std::size_t width) {
        const std::size_t w = display_width(text);
        return text + std::string(w < width ? width - w : 0, ' ');
    };
    return when + "  " + pad(campaign, 22) + "  " + pad(what, 24);
}

std::string TimelinePrinter::when(Instant instant, const std::string& zone) const {
    return zone_.empty() ? format_local(instant, zone) : format_local_with_zone(instant, zone);
}

void TimelinePrinter::occurrence_decided(const FiringReport& report) {
    const auto& o = report.occurrence;
    campaign_zones_[o.campaign->id()] = o.campaign->timezone();
    const std::string head = timeline_head(when(o.due, o.campaign->timezone()), o.campaign->id(), o.step->id);
    if (report.status != OccurrenceStatus::Fired) {
        ++skipped_;
        out_ << head << "  " << to_string(report.status) << ": " << report.reason << "\n";
        return;
    }
    std::size_t letters = 0, tasks = 0;
    for (const auto& l : report.delivered) (l.is_task ? tasks : letters)++;
    letters_ += letters;
    tasks_ += tasks;
    failed_ += static_cast<std::size_t>(report.failed);
    already_ += static_cast<std::size_t>(report.already_delivered);
    std::string counts = tasks ? "task for staff" : counted(letters, "letter");
    if (report.already_delivered) counts += ", " + std::to_string(report.already_delivered) + " already sent";
    // A temporary failure is not a failure yet: say when it is tried again.
    if (report.will_retry)
        counts += ", " + std::to_string(report.will_retry) + " will retry" +
                  (report.first_retry ? " at " + when(*report.first_retry, o.campaign->timezone()) : "");
    if (const int permanent = report.failed - report.will_retry) counts += ", " + std::to_string(permanent) + " FAILED";
    if (!report.reason.empty()) counts += " (" + report.reason + ")";
    out_ << head << "  " << counts << "\n";
    if (summary_only_) return;
    for (const auto& l : report.delivered)
        out_ << "    " << (l.is_task ? "task " : l.state + "  ") << " " << l.to_name << " <" << l.to_email << ">  \""
             << l.subject << "\"\n";
}

void TimelinePrinter::delivery_retried(const DeliveryRecord& record) {
    const auto seen = campaign_zones_.find(record.letter.campaign);
    const std::string zone = !zone_.empty() ? zone_ : seen != campaign_zones_.end() ? seen->second : "UTC";
    std::string outcome;
    switch (record.status) {
        case DeliveryStatus::Delivered:
            outcome = "delivered";
            ++(record.letter.is_task ? tasks_ : letters_);
            ++delivered_on_retry_;
            break;
        case DeliveryStatus::TemporaryFailure:
            outcome = "not yet delivered, will retry" +
                      (record.next_attempt ? " at " + when(*record.next_attempt, zone) : std::string());
            break;
        case DeliveryStatus::Failed:
            outcome = "FAILED";
            ++failed_;
            break;
    }
    out_ << timeline_head(when(record.updated_at, zone), record.letter.campaign, record.letter.step) << "  retry "
         << record.attempts << " to " << record.letter.to_email << ": " << outcome
         << (record.detail.empty() ? "" : " (" + record.detail + ")") << "\n";
}

// Approval (issue 12): a proof line when it goes to staff, and one line when a
// due step starts waiting for approval.
void TimelinePrinter::proof_sent(const PlannedOccurrence& o, const Letter& proof) {
    out_ << timeline_head(format_local(proof.scheduled, o.campaign->timezone()), o.campaign->id(), o.step->id)
         << "  proof for approval to " << proof.to_email << " (" << o.id << " due "
         << format_local(o.due, o.campaign->timezone()) << ")\n";
}

void TimelinePrinter::awaiting_approval(const PlannedOccurrence& o, const std::string& reason) {
    out_ << timeline_head(format_local(o.due, o.campaign->timezone()), o.campaign->id(), o.step->id) << "  not sent: "
         << reason << "\n";
}

}  // namespace outreach::cli
