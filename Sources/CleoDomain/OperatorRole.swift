/// Who may do what (roles.md). Ordered: each role may do everything the one below it may.
public enum OperatorRole: String, Sendable, CaseIterable, Comparable {
    case support, engineer, admin

    var rank: Int {
        switch self {
        case .support: 0
        case .engineer: 1
        case .admin: 2
        }
    }

    public static func < (lhs: OperatorRole, rhs: OperatorRole) -> Bool { lhs.rank < rhs.rank }
}

/// What a role is asked to do, for `OperatorRole.refusal(of:)`.
public enum RoleAction: Sendable, Equatable {
    case set(ConfigField)
    /// `webhookAuthorization` (serve.md): a secret kept beside the config fields, set like a key.
    case setWebhookAuthorization
    case export
    case grant(OperatorRole)
    case revoke
    case reveal
    case decide  // approve or reject a pending change

    /// The least role that may do it.
    public var leastRole: OperatorRole {
        switch self {
        case .set, .setWebhookAuthorization, .export, .decide: .engineer
        case .grant, .revoke, .reveal: .admin
        }
    }

    public var phrase: String {
        switch self {
        case .set(let field): "set \(field.rawValue)"
        case .setWebhookAuthorization: "set webhookAuthorization"
        case .export: "export the configuration (config export)"
        case .grant(let role): "grant the role \(role.rawValue)"
        case .revoke: "revoke a role"
        case .reveal: "reveal a secret"
        case .decide: "approve or reject a pending change"
        }
    }
}

extension OperatorRole {
    /// Why this role may not do `action`, or nil when it may. Nobody grants above their own role.
    public func refusal(of action: RoleAction) -> String? {
        if self < action.leastRole {
            return "\(rawValue) may not \(action.phrase): that needs the role \(action.leastRole.rawValue)"
        }
        if case .grant(let granted) = action, self < granted {
            return "\(rawValue) may not grant the role \(granted.rawValue), above its own"
        }
        return nil
    }
}
