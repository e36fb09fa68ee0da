/// The direction of a transaction, as the webhook's `method` names it.
public enum PaymentMethod: String, CaseIterable, Sendable, Codable {
    case payIn = "CLEO_PAYIN"
    case payOut = "CLEO_PAYOUT"

    /// `PAYIN`/`PAYOUT`, as `tx list --method` takes it.
    public var shortName: String { self == .payIn ? "PAYIN" : "PAYOUT" }
    public var displayName: String { self == .payIn ? "Pay-In" : "Pay-Out" }

    public init?(shortName: String) {
        switch shortName.uppercased() {
        case "PAYIN", "PAY-IN", "CLEO_PAYIN": self = .payIn
        case "PAYOUT", "PAY-OUT", "CLEO_PAYOUT": self = .payOut
        default: return nil
        }
    }
}

/// Mozarto's normalised status (events-log.md: `transaction_status`).
public enum TransactionStatus: String, CaseIterable, Sendable, Codable {
    case pending = "Pending"
    case approved = "Approved"
    case declined = "Declined"

    /// Approved and Declined are final (rule 2).
    public var isFinal: Bool { self != .pending }

    /// The word with a symbol, so a status never depends on colour alone (`✓ Approved`);
    /// Pending's is not `…`, the mark of a value cut to its column (issue 10).
    public var label: String {
        switch self {
        case .pending: "◌ Pending"
        case .approved: "✓ Approved"
        case .declined: "✗ Declined"
        }
    }

    /// Matched without regard to ASCII case; stored in this spelling.
    public init?(caseInsensitive text: String) {
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        for status in TransactionStatus.allCases where status.rawValue.utf8.count == text.utf8.count {
            if zip(status.rawValue.utf8, text.utf8).allSatisfy({ folded($0) == folded($1) }) {
                self = status
                return
            }
        }
        return nil
    }
}

/// One accepted webhook line: the fields of events-log.md, validated and normalised.
public struct WebhookEvent: Sendable, Equatable {
    public var transactionID: String
    public var method: PaymentMethod
    public var status: TransactionStatus
    /// The provider's raw status, kept as is (may be empty).
    public var rawStatus: String
    public var userID: String
    public var amount: Amount?
    /// The line's currency: its `currency`, or else its country's.
    public var currency: Currency?
    /// The line's country: its `countryCode`, or else its currency's.
    public var region: Region?
    public var pspTransactionID: String?
    public var message: String?
    public var merchantReference: String?
    public var errorCode: String?
    public var receivedAt: Timestamp?
    public var eventID: String?

    public init(
        transactionID: String, method: PaymentMethod, status: TransactionStatus, rawStatus: String, userID: String,
        amount: Amount? = nil, currency: Currency? = nil, region: Region? = nil, pspTransactionID: String? = nil,
        message: String? = nil, merchantReference: String? = nil, errorCode: String? = nil,
        receivedAt: Timestamp? = nil, eventID: String? = nil
    ) {
        self.transactionID = transactionID
        self.method = method
        self.status = status
        self.rawStatus = rawStatus
        self.userID = userID
        self.amount = amount
        self.currency = currency ?? region?.currency
        self.region = region ?? currency?.region
        self.pspTransactionID = pspTransactionID
        self.message = message
        self.merchantReference = merchantReference
        self.errorCode = errorCode
        self.receivedAt = receivedAt
        self.eventID = eventID
    }

    /// Byte-for-byte equality: Swift's `String ==` uses canonical equivalence, the spec does not.
    public static func == (lhs: WebhookEvent, rhs: WebhookEvent) -> Bool {
        lhs.transactionID.sameBytes(as: rhs.transactionID) && lhs.method == rhs.method && lhs.status == rhs.status
            && lhs.rawStatus.sameBytes(as: rhs.rawStatus) && lhs.userID.sameBytes(as: rhs.userID)
            && lhs.amount?.hundredths == rhs.amount?.hundredths && lhs.amount?.literal == rhs.amount?.literal
            && lhs.currency == rhs.currency && lhs.region == rhs.region
            && sameBytes(lhs.pspTransactionID, rhs.pspTransactionID) && sameBytes(lhs.message, rhs.message)
            && sameBytes(lhs.merchantReference, rhs.merchantReference) && sameBytes(lhs.errorCode, rhs.errorCode)
            && lhs.receivedAt == rhs.receivedAt && sameBytes(lhs.eventID, rhs.eventID)
    }
}

/// Why a line was rejected, in the order events-log.md checks them.
public enum RejectionCode: String, CaseIterable, Sendable, Codable {
    case lineTooLong = "LINE_TOO_LONG"
    case invalidUTF8 = "INVALID_UTF8"
    case invalidJSON = "INVALID_JSON"
    case notAnObject = "NOT_AN_OBJECT"
    case missingField = "MISSING_FIELD"
    case wrongType = "WRONG_TYPE"
    case unknownMethod = "UNKNOWN_METHOD"
    case unknownStatus = "UNKNOWN_STATUS"
    case unsupportedCurrency = "UNSUPPORTED_CURRENCY"
    case countryMismatch = "COUNTRY_MISMATCH"
    case invalidAmount = "INVALID_AMOUNT"
}

/// A rejected line's verdict: the code of the first broken rule and a human message.
public struct LineRejection: Sendable, Equatable, Error {
    public let code: RejectionCode
    public let message: String

    public init(_ code: RejectionCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// What one physical line of the log is.
public enum LineVerdict: Sendable, Equatable {
    /// Empty, or only spaces and tabs: skipped, not an error.
    case blank
    case accepted(WebhookEvent)
    case rejected(LineRejection)
}

extension String {
    /// Byte-for-byte comparison (no Unicode normalisation), as events-log.md requires.
    @inlinable public func sameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in a.elementsEqual(b) }
        }
        return (fast ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}

@inlinable func sameBytes(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (x?, y?): x.sameBytes(as: y)
    default: false
    }
}

/// A string as a dictionary key by its bytes: Swift's `String` hashes and compares by canonical
/// equivalence, the spec compares ids byte for byte. The bytes are hashed once, when the key is
/// made (the ingest makes its keys on the reading thread), not at every lookup.
public struct ByteKey: Hashable, Sendable {
    public let text: String
    public let bytesHash: Int

    public init(_ text: String) {
        self.text = text
        var hasher = Hasher()
        var copy = text  // withUTF8 may make the string native: no copy for the usual native string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        bytesHash = hasher.finalize()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytesHash) }
    public static func == (a: ByteKey, b: ByteKey) -> Bool { a.bytesHash == b.bytesHash && a.text.sameBytes(as: b.text) }
}
