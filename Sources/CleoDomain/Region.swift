/// One of Cleo's three markets. Cleo only processes the local currency of each
/// (provider page: "Use CLP for Chile, PEN for Peru, and MXN for Mexico").
public enum Region: String, CaseIterable, Sendable, Codable {
    case chile, peru, mexico

    /// The ISO country code carried by requests and webhook lines (`countryCode`).
    public var countryCode: String {
        switch self {
        case .chile: "CL"
        case .peru: "PE"
        case .mexico: "MX"
        }
    }

    /// The only currency Cleo accepts in this market.
    public var currency: Currency {
        switch self {
        case .chile: .clp
        case .peru: .pen
        case .mexico: .mxn
        }
    }

    /// The configuration field holding this market's API key; the key for a request is chosen
    /// from its `countryCode` (provider page, Configuration).
    public var apiKeyField: ConfigField {
        switch self {
        case .chile: .chileApiKey
        case .peru: .peruApiKey
        case .mexico: .mexicoApiKey
        }
    }

    public var displayName: String {
        switch self {
        case .chile: "Chile"
        case .peru: "Perú"
        case .mexico: "México"
        }
    }

    /// The region of an exact country code (`CL`, `PE`, `MX`); nil for anything else.
    public init?(countryCode: String) {
        // (No non-ASCII string is canonically equivalent to these ASCII codes, so `==` here is
        // also a byte-for-byte match.)
        switch countryCode {
        case "CL": self = .chile
        case "PE": self = .peru
        case "MX": self = .mexico
        default: return nil
        }
    }

    public init(currency: Currency) {
        switch currency {
        case .clp: self = .chile
        case .pen: self = .peru
        case .mxn: self = .mexico
        }
    }
}

/// The three currencies Cleo accepts; nothing else is valid anywhere in the console.
public enum Currency: String, CaseIterable, Sendable, Codable {
    case clp = "CLP"
    case pen = "PEN"
    case mxn = "MXN"

    /// The exact code, byte for byte (`clp` is not `CLP`).
    public init?(code: String) {
        switch code {
        case "CLP": self = .clp
        case "PEN": self = .pen
        case "MXN": self = .mxn
        default: return nil
        }
    }

    /// Digits after the decimal point the currency allows: CLP has no cents (Cleo's own
    /// operational notes: Chilean amounts must be integers).
    public var allowedFractionDigits: Int { self == .clp ? 0 : 2 }

    public var region: Region { Region(currency: self) }
}
