/// One broken rule of a cashier request: the field's path and the rule in words.
public struct RequestProblem: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let rule: String
    public init(field: String, rule: String) {
        self.field = field
        self.rule = rule
    }
    public var description: String { "\(field): \(rule)" }
}

/// The verdict on a cashier request: every problem (not just the first) and, when the country
/// is known, the regional key that would sign it.
public struct CashierRequestValidation: Sendable, Equatable {
    public var problems: [RequestProblem]
    /// Not errors: unknown fields, a blocked user (cashier.md). The request may still be sent.
    public var warnings: [RequestProblem] = []
    public var region: Region?
    public var method: PaymentMethod?
    public var amount: Amount?

    public var isValid: Bool { problems.isEmpty }
    /// The configuration field whose key would be used (provider page: chosen from `countryCode`).
    public var apiKeyField: ConfigField? { region?.apiKeyField }
}

/// `POST /v1/api/mozarto/cashier` for Cleo, Pay-In and Pay-Out (same body, `type` differs):
/// every field of the provider page's request table with its type and requiredness.
public enum CashierRequest {
    public enum FieldKind: Sendable, Equatable {
        case string, number, boolean, object
    }

    /// The provider page's table, in its order: name, type, required.
    public static let fields: [(name: String, kind: FieldKind, required: Bool)] = [
        ("pspType", .string, true), ("type", .string, true), ("baseamount", .number, true),
        ("currency", .string, true), ("currencyCode", .string, true), ("userId", .string, true),
        ("email", .string, true), ("firstName", .string, true), ("lastName", .string, true),
        ("phone", .string, true), ("gender", .string, true), ("dob", .string, true),
        ("countryCode", .string, true), ("kycVerified", .boolean, true), ("blocked", .boolean, true),
        ("isVelocity", .boolean, true), ("transactionCount", .string, true), ("userBalance", .number, true),
        ("partnerName", .string, true), ("emailVerification", .string, true), ("verificationDate", .string, true),
        ("brandId", .string, false), ("bonusCode", .string, false), ("address", .object, true),
    ]

    /// `address`: `{ line1, line2?, city, state, postalCode, country }`.
    public static let addressFields: [(name: String, required: Bool)] = [
        ("line1", true), ("line2", false), ("city", true), ("state", true), ("postalCode", true), ("country", true),
    ]

    /// `today` (`YYYY-MM-DD`, the operator's date) makes `dob` a date in the past; `expected`
    /// is the type the command asked for (`cashier payin` with a file that says PAYOUT is a problem).
    public static func validate(_ body: JSONValue, today: String? = nil, expected: PaymentMethod? = nil) -> CashierRequestValidation {
        guard case .object(let object) = body else {
            return CashierRequestValidation(problems: [.init(field: "(body)", rule: "must be a JSON object")])
        }
        return validate(object, today: today, expected: expected)
    }

    public static func validate(_ object: JSONObject, today: String? = nil, expected: PaymentMethod? = nil) -> CashierRequestValidation {
        var result = CashierRequestValidation(problems: [])
        func problem(_ field: String, _ rule: String) { result.problems.append(.init(field: field, rule: rule)) }
        func warning(_ field: String, _ rule: String) { result.warnings.append(.init(field: field, rule: rule)) }

        let known = Set(fields.map(\.name))
        var seen = Set<String>()
        for (key, _) in object.members {
            if !seen.insert(key).inserted { problem(key, "appears more than once") }
            if !known.contains(key) { warning(key, "is not a field of the provider page's table (sent as it is)") }
        }

        // Presence and JSON types.
        var typed: [String: JSONValue] = [:]
        for (name, kind, required) in fields {
            guard let value = object[name] else {
                if required { problem(name, "is required") }
                continue
            }
            if matches(value, kind) { typed[name] = value } else { problem(name, "must be a \(kindName(kind)), not a \(value.typeName)") }
        }
        func text(_ name: String) -> String? {
            if case .string(let s)? = typed[name] { return s }
            return nil
        }

        if let psp = text("pspType"), psp != "CLEO" { problem("pspType", "must be \"CLEO\"") }
        if let type = text("type") {
            switch type {
            case "PAYIN": result.method = .payIn
            case "PAYOUT": result.method = .payOut
            default: problem("type", "must be \"PAYIN\" or \"PAYOUT\"")
            }
            if let expected, let method = result.method, method != expected {
                problem("type", "is \(type) but the command is \(expected == .payIn ? "payin" : "payout")")
            }
        }
        if let code = text("countryCode") {
            if let region = Region(countryCode: code) { result.region = region } else { problem("countryCode", "must be CL, PE or MX") }
        }
        let expectedCurrency = result.region?.currency
        for name in ["currency", "currencyCode"] {
            guard let code = text(name) else { continue }
            guard let currency = Currency(code: code) else {
                problem(name, "must be CLP, PEN or MXN (Cleo only processes local currencies)")
                continue
            }
            if let expectedCurrency, currency != expectedCurrency, let region = result.region {
                problem(name, "must be \(expectedCurrency.rawValue) for countryCode \(region.countryCode) (got \(currency.rawValue))")
            }
        }
        if case .number(let literal)? = typed["baseamount"] {
            if let amount = Amount(literal: literal) {
                if let issue = amount.problem(in: expectedCurrency ?? text("currency").flatMap(Currency.init(code:))) {
                    problem("baseamount", issue)
                } else {
                    result.amount = amount
                }
            } else {
                problem("baseamount", "must be a positive amount with at most 2 decimals (e.g. 10000.00)")
            }
        }
        for name in ["userId", "firstName", "lastName", "gender", "partnerName"] {
            if let value = text(name), value.allSatisfy(\.isWhitespace) { problem(name, "must not be empty") }
        }
        for name in ["email", "emailVerification"] {
            if let value = text(name), !isPlausibleEmail(value) { problem(name, "must be an email address (name@domain.tld)") }
        }
        if let phone = text("phone") {
            let digits = phone.unicodeScalars.filter { ("0"..."9").contains($0) }.count
            let allowed = phone.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || " +-()".unicodeScalars.contains($0) }
            if !allowed { problem("phone", "must contain only digits (and + - ( ) spaces)") } else if digits < 6 { problem("phone", "must have at least 6 digits") }
        }
        for name in ["dob", "verificationDate"] {
            if let value = text(name), !isRealDate(value) { problem(name, "must be a real date YYYY-MM-DD (e.g. 1990-01-15)") }
        }
        // Valid dates of one format compare as text.
        if let dob = text("dob"), isRealDate(dob), let today, dob >= today { problem("dob", "must be in the past") }
        if case .bool(true)? = typed["blocked"] { warning("blocked", "is true: Mozarto may refuse it") }
        if let count = text("transactionCount"), count.isEmpty || !count.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
            problem("transactionCount", "must be a whole number as a string (e.g. \"1\")")
        }
        if case .number(let literal)? = typed["userBalance"], Double(literal) == nil || literal.hasPrefix("-") {
            problem("userBalance", "must be a number of zero or more")
        }
        if case .object(let address)? = typed["address"] {
            for (name, required) in addressFields {
                guard let value = address[name] else {
                    if required { problem("address.\(name)", "is required") }
                    continue
                }
                guard case .string(let s) = value else {
                    problem("address.\(name)", "must be a string, not a \(value.typeName)")
                    continue
                }
                if required && s.allSatisfy(\.isWhitespace) { problem("address.\(name)", "must not be empty") }
                if name == "country", let region = result.region, !s.allSatisfy(\.isWhitespace), !s.sameBytes(as: region.countryCode) {
                    problem("address.country", "must be \(region.countryCode), the countryCode")
                }
            }
            let knownAddress = Set(addressFields.map(\.name))
            for (key, _) in address.members where !knownAddress.contains(key) {
                warning("address.\(key)", "is not a field of the address (sent as it is)")
            }
        }
        return result
    }

    private static func matches(_ value: JSONValue, _ kind: FieldKind) -> Bool {
        switch (value, kind) {
        case (.string, .string), (.number, .number), (.bool, .boolean), (.object, .object): true
        default: false
        }
    }

    private static func kindName(_ kind: FieldKind) -> String {
        switch kind {
        case .string: "string"
        case .number: "number"
        case .boolean: "boolean"
        case .object: "object"
        }
    }

    static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    static func isRealDate(_ text: String) -> Bool {
        guard let (year, _, _) = RFC3339.date(text) else { return false }
        return year >= 1900
    }
}
