import CleoDomain

/// Parses one log line given as text.
func verdict(_ line: String) -> LineVerdict { WebhookLineParser.parse(Array(line.utf8)) }

func rejectionCode(_ line: String) -> RejectionCode? {
    if case .rejected(let rejection) = verdict(line) { return rejection.code }
    return nil
}

func accepted(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> WebhookEvent? {
    if case .accepted(let event) = verdict(line) { return event }
    Issue.record("expected the line to be accepted: \(verdict(line))", sourceLocation: sourceLocation)
    return nil
}

/// A valid line with `overrides` merged over the base fields (JSON fragments as values).
func line(_ overrides: [(String, String)] = [], dropping: Set<String> = []) -> String {
    var fields: [(String, String)] = [
        ("transaction_id", "\"tx-1\""), ("method", "\"CLEO_PAYIN\""), ("transaction_status", "\"Pending\""),
        ("status", "\"PENDING\""), ("user_id", "\"user_1\""), ("amount", "\"10000.00\""), ("currency", "\"CLP\""),
        ("countryCode", "\"CL\""),
    ]
    fields.removeAll { dropping.contains($0.0) }
    for (key, value) in overrides {
        if let i = fields.firstIndex(where: { $0.0 == key }) { fields[i].1 = value } else { fields.append((key, value)) }
    }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

import Testing
