/// Maker–checker in a `production` database (roles.md): some changes are proposed, not
/// applied, until a second person approves them.
public enum FourEyes {
    /// A proposal not approved within this long expires.
    public static let expiryMilliseconds: Int64 = 24 * 3_600 * 1_000

    /// Whether changing `field` from `old` to `new` waits for a second person: every secret
    /// (the regional keys, and any secret field declared later, by `isSecret`) and turning
    /// `isWebhookSecured` off.
    public static func needsSecondPerson(_ field: ConfigField, old: String?, new: String) -> Bool {
        if field.isSecret { return true }
        return field == .isWebhookSecured && new == "false" && old == "true"
    }
}

/// What a pending change changes: one of the six fields, or `webhookAuthorization` (a secret
/// kept beside them, serve.md). `rawValue` is the name stored in `pending_change.field` and shown.
public enum PendingField: Sendable, Hashable, RawRepresentable {
    case config(ConfigField)
    case webhookAuthorization

    public init?(rawValue: String) {
        if rawValue == WebhookAuthorization.fieldName { self = .webhookAuthorization; return }
        guard let field = ConfigField(rawValue: rawValue) else { return nil }
        self = .config(field)
    }

    public var rawValue: String {
        switch self {
        case .config(let field): field.rawValue
        case .webhookAuthorization: WebhookAuthorization.fieldName
        }
    }

    /// Sealed while it waits (bound to `pending.` + its name), masked with a fingerprint when shown.
    public var isSecret: Bool {
        switch self {
        case .config(let field): field.isSecret
        case .webhookAuthorization: true
        }
    }
}

/// A change that waits for a second person (`config pending`).
public struct PendingChange: Sendable, Equatable {
    public enum State: String, Sendable { case pending, approved, rejected, expired }
    public var id: Int64
    public var field: PendingField
    public var proposedBy: String
    public var proposedFrom: String
    public var proposedAt: Timestamp
    public var expiresAt: Timestamp
    /// Masked with fingerprints for secrets.
    public var old: String?
    public var new: String
    public var state: State

    public init(id: Int64, field: PendingField, proposedBy: String, proposedFrom: String, proposedAt: Timestamp, expiresAt: Timestamp,
                old: String?, new: String, state: State) {
        self.id = id
        self.field = field
        self.proposedBy = proposedBy
        self.proposedFrom = proposedFrom
        self.proposedAt = proposedAt
        self.expiresAt = expiresAt
        self.old = old
        self.new = new
        self.state = state
    }
}
