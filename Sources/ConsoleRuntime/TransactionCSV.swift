import CleoDomain
import TerminalCanvas

/// The transactions as CSV — one writer for `tx list --csv` and the console's `:export`, so the
/// two never differ: cli.md's columns, RFC 4180 quoting, and cells a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR first) prefixed with `'`. CSV has no escapes: control
/// characters become visible placeholders, always (a CSV file is cat'ed to a terminal sooner or later).
public enum TransactionCSV {
    public static let header = ["transaction_id", "method", "status", "raw_status", "errorCode", "message", "amount", "currency", "country",
                                "user_id", "psp_transaction_id", "merchantReference", "flags", "event_count", "first_seen_at", "updated_at"]

    /// The header line, without its newline.
    public static var headerLine: String { row(header) }

    /// One transaction's line, without its newline; `time` writes RFC 3339 in the operator's zone.
    public static func line(_ r: TransactionRecord, time: (Timestamp) -> String) -> String {
        row(cells(r, time: time).map(TerminalText.sanitized))
    }

    static func cells(_ r: TransactionRecord, time: (Timestamp) -> String) -> [String] {
        [r.id, r.method.rawValue, r.status.rawValue, r.rawStatus, r.errorCode ?? "", r.message ?? "", r.amount?.literal ?? "",
         r.currency?.rawValue ?? "", r.region?.countryCode ?? "", r.userID, r.pspTransactionID ?? "", r.merchantReference ?? "",
         r.flags.names.joined(separator: " "), String(r.eventCount), time(r.firstSeenAt), time(r.updatedAt)]
    }

    public static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",")
    }

    public static func cell(_ raw: String) -> String {
        var text = raw
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
