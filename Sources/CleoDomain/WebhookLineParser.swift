/// Bytes of one log line → an accepted event, a rejection or a blank line, by the rules of
/// events-log.md. The first broken rule, in the spec table's order, is the one reported.
public enum WebhookLineParser {
    /// A line longer than this (without its LF) is `LINE_TOO_LONG`.
    public static let maximumLineBytes = 1_048_576
    /// `transaction_id` and `user_id` length cap, in Unicode scalars.
    public static let maximumIDScalars = 128

    private static let required = ["transaction_id", "method", "transaction_status", "status", "user_id"]
    private static let optional = [
        "amount", "currency", "countryCode", "psp_transaction_id", "message", "merchantReference",
        "errorCode", "receivedAt", "eventId",
    ]

    public static func parse(_ line: [UInt8]) -> LineVerdict {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// `line` excludes its LF; one CR just before it is removed here.
    public static func parse(_ raw: UnsafeBufferPointer<UInt8>) -> LineVerdict {
        var line = raw
        if line.count > maximumLineBytes {
            return .rejected(.init(.lineTooLong, "the line is \(line.count) bytes, over the 1 MiB limit"))
        }
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        if let bad = UTF8Validation.firstInvalidOffset(line) {
            return .rejected(.init(.invalidUTF8, "invalid UTF-8 at byte \(bad)"))
        }
        let value: JSONValue
        do {
            value = try StrictJSONParser.parse(line)
        } catch {
            return .rejected(.init(.invalidJSON, "not strict JSON: \(error)"))
        }
        guard case .object(let object) = value else {
            return .rejected(.init(.notAnObject, "the line is a JSON \(value.typeName), not an object"))
        }
        switch event(from: object) {
        case .success(let event): return .accepted(event)
        case .failure(let rejection): return .rejected(rejection)
        }
    }

    /// The field checks, in the spec's order, over a parsed object.
    public static func event(from object: JSONObject) -> Result<WebhookEvent, LineRejection> {
        // MISSING_FIELD: every required field, before any type is looked at.
        let absent = required.filter { object[$0] == nil }
        if !absent.isEmpty {
            return .failure(.init(.missingField, "missing required field\(absent.count > 1 ? "s" : ""): \(absent.joined(separator: ", "))"))
        }
        // WRONG_TYPE: every listed field's JSON type, then the id lengths and the timestamp.
        for name in required + optional {
            guard let value = object[name] else { continue }
            let fits: Bool
            switch value {
            case .string: fits = true
            case .number: fits = name == "amount"
            default: fits = false
            }
            if !fits {
                let expected = name == "amount" ? "a string or a number" : "a string"
                return .failure(.init(.wrongType, "\(name) must be \(expected), not a \(value.typeName)"))
            }
        }
        let transactionID = string(object, "transaction_id")!
        let userID = string(object, "user_id")!
        for (name, text) in [("transaction_id", transactionID), ("user_id", userID)] {
            let count = text.unicodeScalars.count
            if count == 0 { return .failure(.init(.wrongType, "\(name) must not be empty")) }
            if count > maximumIDScalars {
                return .failure(.init(.wrongType, "\(name) is \(count) characters, over the \(maximumIDScalars) limit"))
            }
        }
        var receivedAt: Timestamp?
        if let text = string(object, "receivedAt") {
            guard let parsed = RFC3339.parse(text) else {
                return .failure(.init(.wrongType, "receivedAt is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM))"))
            }
            receivedAt = parsed
        }
        let methodText = string(object, "method")!
        guard let method = PaymentMethod(rawValue: methodText), methodText.utf8.elementsEqual(method.rawValue.utf8) else {
            return .failure(.init(.unknownMethod, "method must be CLEO_PAYIN or CLEO_PAYOUT"))
        }
        guard let status = TransactionStatus(caseInsensitive: string(object, "transaction_status")!) else {
            return .failure(.init(.unknownStatus, "transaction_status must be Pending, Approved or Declined"))
        }
        var currency: Currency?
        if let code = string(object, "currency") {
            guard let known = Currency(code: code) else {
                return .failure(.init(.unsupportedCurrency, "currency must be CLP, PEN or MXN (Cleo accepts no other)"))
            }
            currency = known
        }
        var region: Region?
        if let code = string(object, "countryCode") {
            guard let known = Region(countryCode: code) else {
                return .failure(.init(.countryMismatch, "countryCode must be CL, PE or MX"))
            }
            if let currency, currency != known.currency {
                return .failure(.init(.countryMismatch, "countryCode \(known.countryCode) does not match currency \(currency.rawValue) (expected \(known.currency.rawValue))"))
            }
            region = known
        }
        let effectiveCurrency = currency ?? region?.currency
        var amount: Amount?
        if let value = object["amount"] {
            let literal: String
            switch value {
            case .string(let text), .number(let text): literal = text
            default: literal = ""
            }
            guard let parsed = Amount(literal: literal) else {
                return .failure(.init(.invalidAmount, "amount must be a plain decimal like 10000.00: digits, no sign or exponent, at most 2 decimals and 16 digits before the point"))
            }
            if let problem = parsed.problem(in: effectiveCurrency) {
                return .failure(.init(.invalidAmount, "amount \(problem)"))
            }
            amount = parsed
        }
        return .success(WebhookEvent(
            transactionID: transactionID, method: method, status: status, rawStatus: string(object, "status")!,
            userID: userID, amount: amount, currency: currency, region: region,
            pspTransactionID: string(object, "psp_transaction_id"), message: string(object, "message"),
            merchantReference: string(object, "merchantReference"), errorCode: string(object, "errorCode"),
            receivedAt: receivedAt, eventID: string(object, "eventId")
        ))
    }

    private static func string(_ object: JSONObject, _ key: String) -> String? {
        if case .string(let text)? = object[key] { return text }
        return nil
    }
}
