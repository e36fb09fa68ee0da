/// "3 min ago" beside an absolute time: how long before `now` (the runtime's tick, so screens
/// stay pure and goldens use a fixed now) a time lies. Whole units, rounded down, never a
/// negative age: a time ahead of the clock (another host's skew) reads "in 5 s".
public enum RelativeTime {
    public static func ago(_ time: Timestamp, now: Timestamp) -> String {
        let milliseconds = now.millisecondsSince1970 - time.millisecondsSince1970
        if milliseconds < -999 { return "in " + span(-milliseconds) }
        return span(max(0, milliseconds)) + " ago"
    }

    /// The age alone (`3 min`, `in 5 s`), for a column headed AGO.
    public static func span(_ time: Timestamp, now: Timestamp) -> String {
        let milliseconds = now.millisecondsSince1970 - time.millisecondsSince1970
        return milliseconds < -999 ? "in " + span(-milliseconds) : span(max(0, milliseconds))
    }

    /// `12 s`, `3 min`, `5 h`, `2 d`.
    static func span(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 48 * 3600 { return "\(seconds / 3600) h" }
        return "\(seconds / 86_400) d"
    }
}
