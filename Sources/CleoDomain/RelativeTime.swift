/// "3 min ago" beside an absolute time: how long before `now` (the runtime's tick, so screens
/// stay pure and goldens use a fixed now) a time lies. Whole units, rounded down, never a
/// negative age: a time ahead of the clock (another host's skew) reads "in 5 s".
public enum RelativeTime {
    public static func ago(_ time: Timestamp, now: Timestamp) -> String {
        let milliseconds = now.millisecondsSince1970 - time.millisecondsSince1970
        if milliseconds < -999 { return "in " + span(-milliseconds) }
        return span(max(0, milliseconds)) + " ago"
    }

    /// The age in a table cell (`12s`, `3m`, `5h`, `2d`, `in 5s`), as k9s and kubectl write it:
    /// the same units and rounding as `ago`, the short spelling, so an AGO column and an overdue
    /// status beside it read alike. Sentences use `ago`.
    public static func compact(_ time: Timestamp, now: Timestamp) -> String {
        let milliseconds = now.millisecondsSince1970 - time.millisecondsSince1970
        return milliseconds < -999 ? "in " + span(-milliseconds, compact: true) : span(max(0, milliseconds), compact: true)
    }

    /// `12 s`, `3 min`, `5 h`, `2 d` (compact: `12s`, `3m`, `5h`, `2d`).
    static func span(_ milliseconds: Int64, compact: Bool = false) -> String {
        let seconds = milliseconds / 1000
        let (value, unit): (Int64, String) =
            seconds < 60 ? (seconds, "s")
            : seconds < 3600 ? (seconds / 60, compact ? "m" : "min")
            : seconds < 48 * 3600 ? (seconds / 3600, "h")
            : (seconds / 86_400, "d")
        return compact ? "\(value)\(unit)" : "\(value) \(unit)"
    }
}
