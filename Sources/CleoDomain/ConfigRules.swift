/// A value refused by a configuration rule; the message names the field and the rule
/// and never repeats a secret.
public struct ConfigRuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: ConfigField
    public let rule: String
    public var description: String { "\(field.rawValue): \(rule)" }
}

/// The validation rules of cli.md "Configuration rules", pure.
public enum ConfigRules {
    public static let maximumKeyLength = 256
    public static let maximumURLLength = 2048

    /// Checks one text value for a field; returns the normalised stored text.
    /// `isWebhookSecured` accepts exactly `true` or `false`.
    public static func validate(_ value: String, for field: ConfigField) -> Result<String, ConfigRuleViolation> {
        switch field {
        case .chileApiKey, .peruApiKey, .mexicoApiKey, .customerExternalKeyForCleo:
            if let rule = identifierProblem(value) { return .failure(.init(field: field, rule: rule)) }
            return .success(value)
        case .webhookUrl:
            if let rule = webhookURLProblem(value) { return .failure(.init(field: field, rule: rule)) }
            return .success(value)
        case .isWebhookSecured:
            guard value == "true" || value == "false" else {
                return .failure(.init(field: field, rule: "must be true or false"))
            }
            return .success(value)
        }
    }

    /// Keys and the external key: non-empty, no whitespace or control characters, ≤ 256.
    static func identifierProblem(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        let count = value.unicodeScalars.count
        if count > maximumKeyLength {
            return "must be at most \(maximumKeyLength) characters (got \(count))"
        }
        if value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControlOrFormat($0) }) {
            return "must not contain whitespace or control characters"
        }
        return nil
    }

    /// An absolute `https` URL with a host and no user-info, ≤ 2,048 characters.
    /// Parsed by hand (RFC 3986 authority) so the rule is the same on every platform.
    static func webhookURLProblem(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.unicodeScalars.count > maximumURLLength {
            return "must be at most \(maximumURLLength) characters"
        }
        if value.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControlOrFormat($0) }) {
            return "must not contain whitespace or control characters"
        }
        guard let colon = value.firstIndex(of: ":") else {
            return "must be an absolute URL starting with https://"
        }
        let scheme = value[..<colon]
        if scheme.lowercased() != "https" {
            return "must use https (got \(scheme.lowercased() == "http" ? "http" : "another scheme"))"
        }
        let rest = value[value.index(after: colon)...]
        guard rest.hasPrefix("//") else { return "must be an absolute URL starting with https://" }
        let afterSlashes = rest.dropFirst(2)
        let authority = afterSlashes.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { return "must not contain user-info (user:password@)" }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return "has a malformed IPv6 host" }
            let port = host[host.index(after: close)...]
            if !port.isEmpty, !(port.hasPrefix(":") && isValidPort(port)) { return "has an invalid port" }
            host = host[host.index(after: host.startIndex)..<close]
            if host.isEmpty { return "must have a host" }
            return isIPv6(host) ? nil : "has an invalid IPv6 host (a bracketed host must be an IPv6 address)"
        }
        if let portColon = host.lastIndex(of: ":") {
            let port = host[portColon...]
            if !isValidPort(port) { return "has an invalid port" }
            host = host[..<portColon]
        }
        if host.isEmpty { return "must have a host" }
        return hostProblem(host)
    }

    /// A host a connection can be made to: a DNS name (labels of letters, digits and hyphens —
    /// or non-ASCII letters, an IDN — not starting or ending with a hyphen, 1–63 characters,
    /// at most 253 in all, no empty label but an optional final dot) or a dotted-quad IPv4
    /// address (a name whose last label is all digits must be one: no TLD is numeric).
    static func hostProblem(_ host: Substring) -> String? {
        let name = host.hasSuffix(".") ? host.dropLast() : host
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return "has an invalid host (an empty label)" }
        if name.unicodeScalars.count > 253 { return "has an invalid host (longer than 253 characters)" }
        if let last = labels.last, last.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return isIPv4(name) ? nil : "has an invalid host (not an IPv4 address)"
        }
        for label in labels {
            if label.unicodeScalars.count > 63 { return "has an invalid host (a label longer than 63 characters)" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "has an invalid host (a label starts or ends with -)" }
            let allowed = label.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
                               : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark)
            }
            if !allowed { return "has an invalid host (only letters, digits and - in a name)" }
        }
        return nil
    }

    /// Four decimal parts of 0–255, without leading zeros (which some resolvers read as octal).
    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                && (part.count == 1 || part.first != "0") && Int(part)! <= 255
        }
    }

    /// RFC 4291 text form: eight groups of 1–4 hex digits, one `::` standing for one or more
    /// zero groups, an IPv4 address in the last 32 bits allowed. No zone (`%eth0`): a webhook
    /// is not link-local.
    static func isIPv6(_ text: Substring) -> Bool {
        let halves = text.components(separatedBy: "::")
        if halves.count > 2 { return false }
        func groups(_ part: String, mayEndInIPv4: Bool) -> Int? {
            if part.isEmpty { return 0 }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var count = 0
            for (index, piece) in pieces.enumerated() {
                if mayEndInIPv4 && index == pieces.count - 1 && piece.contains(".") {
                    guard isIPv4(piece) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), piece.allSatisfy(\.isASCII) else { return nil }
                    count += 1
                }
            }
            return count
        }
        if halves.count == 1 { return groups(halves[0], mayEndInIPv4: true) == 8 }
        guard let head = groups(halves[0], mayEndInIPv4: false), let tail = groups(halves[1], mayEndInIPv4: true) else { return false }
        return head + tail <= 7
    }

    private static func isValidPort(_ text: Substring) -> Bool {
        // text starts with ":"
        let digits = text.dropFirst()
        if digits.isEmpty { return true }  // "https://host:/" is allowed by RFC 3986
        guard digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    /// C0, DEL, C1 and Unicode format characters (bidi overrides, zero-width).
    static func isControlOrFormat(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        return scalar.properties.generalCategory == .format
    }
}
