/// What the audit trail keeps of a value a rule refused (README, "Refused values"): never a
/// secret, not even masked; of any other field a bounded excerpt with any user-info replaced,
/// so a refused `https://ops:Hunter2@host/` leaves no password in the database.
public enum RefusedValue {
    /// Characters of a refused value kept at most; the rest is counted, not kept.
    public static let maximumExcerpt = 100

    public static let secretNotRecorded = "(refused value not recorded)"

    public static func excerpt(_ value: String, for field: ConfigField) -> String {
        if field.isSecret { return secretNotRecorded }
        let kept = withoutUserInfo(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        // Controls and format characters are kept out of the row itself, not only its displays,
        // as a visible name (`⟨U+202E⟩`): support must see which character the rule refused.
        for scalar in kept.prefix(maximumExcerpt) {
            if ConfigRules.isControlOrFormat(scalar) { out.append(contentsOf: placeholder(scalar).unicodeScalars) } else { out.append(scalar) }
        }
        let cut = kept.count > maximumExcerpt
        return String(out) + (cut ? "… (\(value.unicodeScalars.count) characters)" : "")
    }

    /// `⟨U+001B⟩`: the code point, four hex digits at least, as the console's placeholders.
    static func placeholder(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "⟨U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "⟩"
    }

    /// Everything from the start of the authority (after `scheme://`, or `//`) to the last `@`
    /// anywhere after it becomes `•••@`: a password may hold `/`, `?` or `#`, so the last `@`
    /// is taken rather than the authority's, erring on the side of hiding more of a refused value.
    static func withoutUserInfo(_ scalars: String.UnicodeScalarView) -> [Unicode.Scalar] {
        var start = scalars.startIndex
        if let marker = scalars.firstRange(of: "://".unicodeScalars) {
            start = marker.upperBound
        } else if scalars.starts(with: "//".unicodeScalars) {
            start = scalars.index(scalars.startIndex, offsetBy: 2)
        }
        guard let at = scalars[start...].lastIndex(of: "@") else { return Array(scalars.prefix(maximumExcerpt + 1)) }
        return Array(scalars[..<start].prefix(maximumExcerpt + 1)) + Array("•••@".unicodeScalars) + Array(scalars[scalars.index(after: at)...].prefix(maximumExcerpt + 1))
    }
}
