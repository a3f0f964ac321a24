#pragma once
// The files a campaign's letters enclose: the operator's `attachments` (campaign
// and [steps.<id>]) read and checked when the campaign loads, else the campaign
// type's own enclosures (Workflow::enclosures).
#include <map>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "delivery/letter.hpp"

namespace outreach {

struct Campaign;

// An attachment with its digest computed (Attachment::sha256).
OUTREACH_EXPORT Attachment make_attachment(std::string filename, std::string content_type, std::string content);

// The MIME type for a file name's extension (a short table of what letters
// enclose); application/octet-stream for anything else.
OUTREACH_EXPORT std::string content_type_for(const std::string& filename);

// Reads every file the campaign file lists and fills campaign.attachments (per
// step id). A missing, unreadable or non-regular file (symbolic links included),
// or a step whose enclosures weigh more than max_attachment_bytes, is an error at
// the entry's file:line. Call after apply_step_settings().
void load_attachments(Campaign& campaign, Diagnostics& out);

// What a letter of `step` in `language` encloses.
const std::vector<Attachment>& attachments_for(const Campaign& campaign, const std::string& step,
                                               const std::string& language);

}  // namespace outreach
