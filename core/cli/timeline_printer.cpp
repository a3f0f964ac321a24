#include "timeline_printer.hpp"

#include "table.hpp"
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

void TimelinePrinter::occurrence_decided(const FiringReport& report) {
    const auto& o = report.occurrence;
    const std::string when = format_local(o.due, o.campaign->timezone());
    const std::string head = timeline_head(when, o.campaign->id(), o.step->id);
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
    std::string counts = tasks ? "task for staff" : std::to_string(letters) + " letter" + (letters == 1 ? "" : "s");
    if (report.already_delivered) counts += ", " + std::to_string(report.already_delivered) + " already sent";
    if (report.failed) counts += ", " + std::to_string(report.failed) + " FAILED";
    if (!report.reason.empty()) counts += " (" + report.reason + ")";
    out_ << head << "  " << counts << "\n";
    if (summary_only_) return;
    for (const auto& l : report.delivered)
        out_ << "    " << (l.is_task ? "task " : l.state + "  ") << " " << l.to_name << " <" << l.to_email << ">  \""
             << l.subject << "\"\n";
}

void TimelinePrinter::delivery_retried(const DeliveryRecord& record) {
    out_ << format_instant_utc(record.updated_at) << "  " << record.letter.campaign << "  " << record.letter.step
         << "  retry " << record.attempts << " to " << record.letter.to_email << ": " << to_string(record.status)
         << (record.detail.empty() ? "" : " (" + record.detail + ")") << "\n";
    if (record.status == DeliveryStatus::Failed) ++failed_;
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
