import CleoDomain
import Foundation

/// Times in the operator's time zone (`TZ`), with the zone named; RFC 3339 with the offset for JSON.
struct OperatorTime {
    let zone: TimeZone

    init(zone: TimeZone = .current) { self.zone = zone }

    func offsetSeconds(_ t: Timestamp) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.millisecondsSince1970) / 1000))
    }

    var zoneName: String { zone.identifier }

    func rfc3339(_ t: Timestamp) -> String { RFC3339.format(t, offsetSeconds: offsetSeconds(t)) }
    func short(_ t: Timestamp) -> String { RFC3339.formatShort(t, offsetSeconds: offsetSeconds(t)) }

    /// `--since`/`--until`: RFC 3339, `YYYY-MM-DD` in the operator's zone (the whole day for
    /// `until`), or a duration back from `now` (`90m`, `6h`, `2d`).
    func bound(_ text: String, endOfDay: Bool, now: Timestamp) -> Timestamp? {
        if let full = RFC3339.parse(text) { return full }
        if let back = DurationBound.before(now, text) { return back }
        guard let midnight = RFC3339.parseBound(text, offsetSeconds: offsetSeconds) else { return nil }
        return endOfDay ? midnight.adding(milliseconds: 86_400_000 - 1) : midnight
    }
}

