import Crypto
import Foundation

/// The Cleo connector's configuration as the back office holds it (values in clear, in memory only).
public struct CleoConfiguration: Sendable, Equatable {
    public var values: [ConfigField: String]

    public init(values: [ConfigField: String] = [:]) { self.values = values }

    public subscript(field: ConfigField) -> String? {
        get { values[field] }
        set { values[field] = newValue }
    }

    /// `isWebhookSecured` defaults to false (provider page: optional).
    public var isWebhookSecured: Bool { values[.isWebhookSecured] == "true" }

    /// Required fields not yet set, in the page's order (cli.md: `missing`).
    public var missing: [ConfigField] {
        ConfigField.allCases.filter { $0.isRequired && (values[$0]?.isEmpty ?? true) }
    }

    public var isComplete: Bool { missing.isEmpty }

    /// The key that would sign a request for this country code (provider page: "selected
    /// automatically based on the countryCode").
    public func apiKey(forCountryCode code: String) -> (field: ConfigField, value: String?)? {
        guard let region = Region(countryCode: code) else { return nil }
        return (region.apiKeyField, values[region.apiKeyField])
    }
}

/// How a secret is shown: never in clear, only its last four characters and a fingerprint.
public enum SecretMask {
    /// `••••` followed by the last 4 characters (cli.md, `config show --json`). A key shorter
    /// than 16 characters shows fewer, so a mask never reveals more than a quarter of a key.
    public static func mask(_ secret: String) -> String {
        let scalars = secret.unicodeScalars
        let shown = min(4, scalars.count / 4)
        var tail = String.UnicodeScalarView()
        tail.append(contentsOf: scalars.suffix(shown))
        return "••••" + String(tail)
    }

    /// A short, stable hash prefix that tells two keys apart without revealing either.
    public static func fingerprint(_ secret: String) -> String {
        let digest = SHA256.hash(data: Data(secret.utf8))
        return "sha256:" + digest.prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The fingerprint the database keeps: an HMAC-SHA-256 prefix under a key derived from the
    /// key file's, so a reader of the database alone cannot test guesses against it (an unkeyed
    /// hash prefix gave an 8-character key back in 1.8 s).
    public static func fingerprint(_ secret: String, keyedBy key: SymmetricKey) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: key)
        return "hmac:" + Data(code).prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// What the audit trail and diffs show for a value of `field`: masks and fingerprints for
    /// secrets, the value itself otherwise; `(unset)` for nil.
    public static func display(_ value: String?, for field: ConfigField) -> String {
        guard let value else { return "(unset)" }
        guard field.isSecret else { return value }
        return mask(value) + " " + fingerprint(value)
    }
}
