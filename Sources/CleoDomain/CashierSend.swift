/// One cashier request sent, as the history keeps it (cashier.md, "key health"): who, when,
/// where, what, and the normalised answer — never a token or a key (the key's fingerprint only).
public struct CashierSendRecord: Sendable, Equatable {
    public var id: Int64
    public var at: Timestamp
    public var user: String
    public var origin: String
    public var environment: String
    public var baseURL: String
    public var region: Region
    public var method: PaymentMethod
    /// The request's `userId` (the transaction's user when one is created).
    public var userID: String
    public var amount: String
    public var currency: String
    public var keyFingerprint: String?
    public var result: String
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var transactionID: String?
    public var sessionID: String?

    public init(id: Int64 = 0, at: Timestamp, user: String, origin: String, environment: String, baseURL: String, region: Region,
                method: PaymentMethod, userID: String, amount: String, currency: String, keyFingerprint: String?, result: String, httpStatus: Int?,
                errorCode: String?, message: String?, transactionID: String?, sessionID: String?) {
        self.id = id
        self.at = at
        self.user = user
        self.origin = origin
        self.environment = environment
        self.baseURL = baseURL
        self.region = region
        self.method = method
        self.userID = userID
        self.amount = amount
        self.currency = currency
        self.keyFingerprint = keyFingerprint
        self.result = result
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.transactionID = transactionID
        self.sessionID = sessionID
    }
}

/// A region's last test, beside its key in Config and `config show` (`lastTest`).
public struct CashierLastTest: Sendable, Equatable {
    public var at: Timestamp
    public var result: String
    public var errorCode: String?

    public init(at: Timestamp, result: String, errorCode: String?) {
        self.at = at
        self.result = result
        self.errorCode = errorCode
    }
}
