/// The configuration as stored: plain fields in clear, secrets only as mask, fingerprint and age.
public struct StoredConfiguration: Sendable, Equatable {
    public struct SecretHint: Sendable, Equatable {
        public var mask: String
        public var fingerprint: String
        public var setAt: Timestamp?
        public init(mask: String, fingerprint: String, setAt: Timestamp?) {
            self.mask = mask
            self.fingerprint = fingerprint
            self.setAt = setAt
        }
    }

    public var version: Int64
    public var secrets: [ConfigField: SecretHint]
    public var plain: [ConfigField: String]
    public var updatedAt: Timestamp?
    public var updatedBy: String?
    /// `webhookAuthorization` (serve.md): a secret kept beside the six fields; nil when unset.
    public var webhookAuthorization: SecretHint?

    public init(version: Int64 = 0, secrets: [ConfigField: SecretHint] = [:], plain: [ConfigField: String] = [:],
                updatedAt: Timestamp? = nil, updatedBy: String? = nil, webhookAuthorization: SecretHint? = nil) {
        self.version = version
        self.secrets = secrets
        self.plain = plain
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.webhookAuthorization = webhookAuthorization
    }

    public func isSet(_ field: ConfigField) -> Bool { field.isSecret ? secrets[field] != nil : plain[field] != nil }

    /// Required fields not set, in the provider page's order.
    public var missing: [ConfigField] { ConfigField.allCases.filter { $0.isRequired && !isSet($0) } }

    /// What is missing, by name: the required fields, then `webhookAuthorization` while
    /// `isWebhookSecured` is true — `serve` refuses to start without it (exit 78), so a
    /// configuration lacking it is not called complete anywhere.
    public var missingNames: [String] {
        missing.map(\.rawValue) + (lacksWebhookAuthorization ? [WebhookAuthorization.fieldName] : [])
    }

    /// `isWebhookSecured` is true and no `webhookAuthorization` is set.
    public var lacksWebhookAuthorization: Bool { isWebhookSecured && webhookAuthorization == nil }
    public var isComplete: Bool { missingNames.isEmpty }
    public var isWebhookSecured: Bool { plain[.isWebhookSecured] == "true" }

    /// A secret's mask, fingerprint and age — a regional key's or `webhookAuthorization`'s; nil when unset.
    public func hint(_ field: PendingField) -> SecretHint? {
        switch field {
        case .config(let key): secrets[key]
        case .webhookAuthorization: webhookAuthorization
        }
    }

    /// What the screens and the audit show for a field: masks and fingerprints for secrets.
    public func display(_ field: ConfigField) -> String? {
        if field.isSecret { return secrets[field]?.display }
        if field == .isWebhookSecured { return plain[field] ?? "false" }
        return plain[field]
    }
}

extension StoredConfiguration.SecretHint {
    /// What the screens and the audit show: mask and fingerprint.
    public var display: String { mask + " " + fingerprint }
}
