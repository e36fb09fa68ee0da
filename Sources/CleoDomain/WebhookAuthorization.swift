/// `webhookAuthorization` (serve.md, "Security"; cli.md): the `Authorization` value Mozarto sends
/// when the webhook is secured. A secret like the regional keys — sealed at rest, masked, from
/// standard input only, not part of `config export` — but not one of the provider page's six
/// fields, so it is kept beside them rather than among them.
public enum WebhookAuthorization {
    public static let fieldName = "webhookAuthorization"
    public static let maximumLength = 1024

    /// The rule in words, shown beside a refused value.
    public static let ruleText = "non-empty, no control characters, no leading or trailing space, at most \(maximumLength) characters (e.g. \"Bearer 9f2c…\")"

    /// Why `value` cannot be the expected header value, or nil. Spaces inside are allowed (an
    /// `Authorization` value is usually `SCHEME TOKEN`); a header's value cannot start or end with one.
    public static func problem(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        let count = value.unicodeScalars.count
        if count > maximumLength { return "must be at most \(maximumLength) characters (got \(count))" }
        if value.unicodeScalars.contains(where: { ConfigRules.isControlOrFormat($0) || ($0.properties.isWhitespace && $0 != " ") }) {
            return "must not contain control characters, tabs or line breaks"
        }
        if value.hasPrefix(" ") || value.hasSuffix(" ") { return "must not start or end with a space" }
        return nil
    }
}
