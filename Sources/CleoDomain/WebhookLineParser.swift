#if canImport(Glibc)
import Glibc
#endif

/// Bytes of one log line → an accepted event, a rejection or a blank line, by the rules of
/// events-log.md. The first broken rule, in the spec table's order, is the one reported.
public enum WebhookLineParser {
    /// A line longer than this (without its LF) is `LINE_TOO_LONG`.
    public static let maximumLineBytes = 1_048_576
    /// `transaction_id` and `user_id` length cap, in Unicode scalars.
    public static let maximumIDScalars = 128


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
        // The slots live on the stack: one line costs no array allocation for them.
        return withUnsafeTemporaryAllocation(of: JSONValue?.self, capacity: Field.allCases.count) { slots -> LineVerdict in
            slots.initialize(repeating: nil)
            defer { slots.deinitialize() }
            let notAnObject: JSONValue?
            do {
                notAnObject = try StrictJSONParser.parseMembers(line, slotOf: Field.index(named:), into: slots)
            } catch {
                return .rejected(.init(.invalidJSON, "not strict JSON: \(error)"))
            }
            if let value = notAnObject {
                return .rejected(.init(.notAnObject, "the line is a JSON \(value.typeName), not an object"))
            }
            switch event(slots: UnsafeBufferPointer(slots)) {
            case .success(let event): return .accepted(event)
            case .failure(let rejection): return .rejected(rejection)
            }
        }
    }

    /// The listed fields, in the order their checks run; a slot index per field.
    enum Field: Int, CaseIterable {
        case transactionID, method, transactionStatus, status, userID
        case amount, currency, countryCode, pspTransactionID, message, merchantReference, errorCode, receivedAt, eventID

        var name: String {
            switch self {
            case .transactionID: "transaction_id"
            case .method: "method"
            case .transactionStatus: "transaction_status"
            case .status: "status"
            case .userID: "user_id"
            case .amount: "amount"
            case .currency: "currency"
            case .countryCode: "countryCode"
            case .pspTransactionID: "psp_transaction_id"
            case .message: "message"
            case .merchantReference: "merchantReference"
            case .errorCode: "errorCode"
            case .receivedAt: "receivedAt"
            case .eventID: "eventId"
            }
        }

        static let requiredCount = 5

        /// Each field's name as bytes, compared with `memcmp` (no generic `elementsEqual` per key).
        static let nameBytes: [[UInt8]] = allCases.map { Array($0.name.utf8) }

        /// The slot of the field a key names, byte for byte; the length check rejects most keys at once.
        static func index(named key: UnsafeBufferPointer<UInt8>) -> Int? {
            guard key.count >= 6, key.count <= 18, let base = key.baseAddress else { return nil }
            for (index, name) in nameBytes.enumerated() where name.count == key.count {
                if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, key.count) }) == 0 { return index }
            }
            return nil
        }
    }

    /// `transaction_id` and `user_id`: 1–128 Unicode scalars (counted only when the bytes could exceed it).
    static func idProblem(_ name: String, _ value: String) -> LineRejection? {
        if value.isEmpty { return LineRejection(.wrongType, "\(name) must not be empty") }
        guard value.utf8.count > maximumIDScalars else { return nil }
        let count = value.unicodeScalars.count
        guard count > maximumIDScalars else { return nil }
        return LineRejection(.wrongType, "\(name) is \(count) characters, over the \(maximumIDScalars) limit")
    }

    static func event(slots: UnsafeBufferPointer<JSONValue?>) -> Result<WebhookEvent, LineRejection> {
        func text(_ field: Field) -> String? {
            if case .string(let value)? = slots[field.rawValue] { return value }
            return nil
        }
        // MISSING_FIELD: every required field, before any type is looked at.
        var absent: [String] = []  // allocated only for a broken line
        for index in 0..<Field.requiredCount where slots[index] == nil { absent.append(Field(rawValue: index)!.name) }
        if !absent.isEmpty {
            return .failure(.init(.missingField, "missing required field\(absent.count > 1 ? "s" : ""): \(absent.joined(separator: ", "))"))
        }
        // WRONG_TYPE: every listed field's JSON type, then the id lengths and the timestamp.
        for field in Field.allCases {
            guard let value = slots[field.rawValue] else { continue }
            let fits: Bool
            switch value {
            case .string: fits = true
            case .number: fits = field == .amount
            default: fits = false
            }
            if !fits {
                let expected = field == .amount ? "a string or a number" : "a string"
                return .failure(.init(.wrongType, "\(field.name) must be \(expected), not a \(value.typeName)"))
            }
        }
        let transactionID = text(.transactionID)!
        let userID = text(.userID)!
        if let problem = idProblem("transaction_id", transactionID) ?? idProblem("user_id", userID) { return .failure(problem) }
        var receivedAt: Timestamp?
        if let value = text(.receivedAt) {
            guard let parsed = RFC3339.parse(value) else {
                return .failure(.init(.wrongType, "receivedAt is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM))"))
            }
            receivedAt = parsed
        }
        let methodText = text(.method)!
        let method: PaymentMethod
        if methodText.utf8.elementsEqual(PaymentMethod.payIn.rawValue.utf8) {
            method = .payIn
        } else if methodText.utf8.elementsEqual(PaymentMethod.payOut.rawValue.utf8) {
            method = .payOut
        } else {
            return .failure(.init(.unknownMethod, "method must be CLEO_PAYIN or CLEO_PAYOUT"))
        }
        guard let status = TransactionStatus(caseInsensitive: text(.transactionStatus)!) else {
            return .failure(.init(.unknownStatus, "transaction_status must be Pending, Approved or Declined"))
        }
        var currency: Currency?
        if let code = text(.currency) {
            guard let known = Currency(code: code) else {
                return .failure(.init(.unsupportedCurrency, "currency must be CLP, PEN or MXN (Cleo accepts no other)"))
            }
            currency = known
        }
        var region: Region?
        if let code = text(.countryCode) {
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
        if let value = slots[Field.amount.rawValue] {
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
            transactionID: transactionID, method: method, status: status, rawStatus: text(.status)!,
            userID: userID, amount: amount, currency: currency, region: region,
            pspTransactionID: text(.pspTransactionID), message: text(.message),
            merchantReference: text(.merchantReference), errorCode: text(.errorCode),
            receivedAt: receivedAt, eventID: text(.eventID)
        ))
    }
}
