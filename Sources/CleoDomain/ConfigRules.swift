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
            if !port.isEmpty, !isValidPort(port) { return "has an invalid port" }
            host = host[host.index(after: host.startIndex)..<close]
            if host.isEmpty { return "must have a host" }
            return nil
        }
        if let portColon = host.lastIndex(of: ":") {
            let port = host[portColon...]
            if !isValidPort(port) { return "has an invalid port" }
            host = host[..<portColon]
        }
        if host.isEmpty { return "must have a host" }
        let allowed = host.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x7F || (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~%!$&'()*+,;=".unicodeScalars.contains(scalar))
        }
        if !allowed { return "has an invalid host" }
        return nil
    }

    private static func isValidPort(_ text: Substring) -> Bool {
        // text starts with ":"
        let digits = text.dropFirst()
        if digits.isEmpty { return true }  // "https://host:/" is allowed by RFC 3986
        guard digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(digits) else { return false }
        return port <= 65535
    }

    /// C0, DEL, C1 and Unicode format characters (bidi overrides, zero-width).
    static func isControlOrFormat(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        return scalar.properties.generalCategory == .format
    }
}
