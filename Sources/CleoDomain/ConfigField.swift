/// The six fields of the provider page's back-office table, in its order.
public enum ConfigField: String, CaseIterable, Sendable, Codable {
    case chileApiKey, peruApiKey, mexicoApiKey, customerExternalKeyForCleo, webhookUrl, isWebhookSecured

    /// The name used in the provider page's JSON shape (`cleoApiKey.chileApiKey`).
    public var qualifiedName: String {
        isSecret ? "cleoApiKey." + rawValue : rawValue
    }

    /// The three regional API keys: sealed at rest, masked everywhere, never on a command line.
    public var isSecret: Bool {
        switch self {
        case .chileApiKey, .peruApiKey, .mexicoApiKey: true
        default: false
        }
    }

    public var isRequired: Bool { self != .isWebhookSecured }
    public var isBoolean: Bool { self == .isWebhookSecured }

    /// The region served by a key field.
    public var region: Region? {
        switch self {
        case .chileApiKey: .chile
        case .peruApiKey: .peru
        case .mexicoApiKey: .mexico
        default: nil
        }
    }

    /// Accepts the short names and the long `cleoApiKey.*` forms (cli.md, FIELD).
    public init?(name: String) {
        if let field = ConfigField(rawValue: name) {
            self = field
        } else if let field = ConfigField.allCases.first(where: { $0.isSecret && $0.qualifiedName == name }) {
            self = field
        } else {
            return nil
        }
    }

    /// A one-line description for help and the config screen.
    public var summary: String {
        switch self {
        case .chileApiKey: "API key for Chile transactions (CL, CLP)"
        case .peruApiKey: "API key for Peru transactions (PE, PEN)"
        case .mexicoApiKey: "API key for Mexico transactions (MX, MXN)"
        case .customerExternalKeyForCleo: "your external key identifier for Cleo"
        case .webhookUrl: "your HTTPS endpoint for transaction status updates"
        case .isWebhookSecured: "adds an Authorization header to outbound webhook calls"
        }
    }

    /// The rule in words, shown beside a refused value.
    public var ruleText: String {
        switch self {
        case .chileApiKey, .peruApiKey, .mexicoApiKey, .customerExternalKeyForCleo:
            "required; non-empty, no whitespace or control characters, at most \(ConfigRules.maximumKeyLength) characters"
        case .webhookUrl:
            "required; an absolute https URL with a host, no user-info, at most \(ConfigRules.maximumURLLength) characters"
        case .isWebhookSecured:
            "true or false"
        }
    }
}
