/// What the audit trail keeps of a value a rule refused (README, "Refused values"): never a
/// secret, not even masked; of any other field a bounded excerpt with any user-info replaced,
/// so a refused `https://ops:Hunter2@host/` leaves no password in the database.
public enum RefusedValue {
    /// Characters of a refused value kept at most; the rest is counted, not kept.
    public static let maximumExcerpt = 100

    public static let secretNotRecorded = "(refused value not recorded)"

    public static func excerpt(_ value: String, for field: ConfigField) -> String {
        if field.isSecret { return secretNotRecorded }
        var scalars = Array(withoutUserInfo(value).unicodeScalars)
        let total = value.unicodeScalars.count
        var cut = false
        if scalars.count > maximumExcerpt {
            scalars = Array(scalars.prefix(maximumExcerpt))
            cut = true
        }
        var out = String.UnicodeScalarView()
        // Controls and format characters are kept out of the row itself, not only its displays.
        out.append(contentsOf: scalars.map { ConfigRules.isControlOrFormat($0) ? "\u{FFFD}" : $0 })
        return String(out) + (cut ? "… (\(total) characters)" : "")
    }

    /// Everything from the start of the authority (after `scheme://`, or `//`) to the last `@`
    /// anywhere after it becomes `•••@`: a password may hold `/`, `?` or `#`, so the last `@`
    /// is taken rather than the authority's, erring on the side of hiding more of a refused value.
    static func withoutUserInfo(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var start = 0
        if let marker = find(Array("://".unicodeScalars), in: scalars) {
            start = marker + 3
        } else if scalars.starts(with: Array("//".unicodeScalars)) {
            start = 2
        }
        guard let at = scalars[start...].lastIndex(of: "@") else { return value }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[..<start])
        out.append(contentsOf: "•••@".unicodeScalars)
        out.append(contentsOf: scalars[(at + 1)...])
        return String(out)
    }

    private static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }
}
