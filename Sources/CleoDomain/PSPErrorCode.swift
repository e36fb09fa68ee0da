/// Mozarto's normalised error codes for Cleo transport failures (provider page, "Error codes"),
/// in the page's table order.
public enum PSPErrorCode: String, CaseIterable, Sendable, Codable {
    case invalidCredentials = "INVALID_PSP_CREDENTIALS"
    case timeout = "PSP_TIMEOUT"
    case unavailable = "PSP_UNAVAILABLE"
    case rateLimited = "PSP_RATE_LIMITED"
    case unknown = "UNKNOWN_PSP_ERROR"

    /// The first row of the page's table that matches: 404/401/403, then 408 or a body that
    /// says "timeout" (any case), then 5xx, then 429, then anything else — a 2xx with an error
    /// body included.
    public static func normalise(httpStatus: Int, body: String) -> PSPErrorCode {
        if [404, 401, 403].contains(httpStatus) { return .invalidCredentials }
        if httpStatus == 408 || body.lowercased().contains("timeout") { return .timeout }
        if (500...599).contains(httpStatus) { return .unavailable }
        if httpStatus == 429 { return .rateLimited }
        return .unknown
    }

    /// The raw signal from the page's table.
    public var rawSignal: String {
        switch self {
        case .invalidCredentials: "HTTP 404 / 401 / 403"
        case .timeout: "HTTP 408 or a response body containing \"timeout\""
        case .unavailable: "HTTP 5xx"
        case .rateLimited: "HTTP 429"
        case .unknown: "any other response"
        }
    }

    /// What the code means (the page's "When" column).
    public var meaning: String {
        switch self {
        case .invalidCredentials: "Cleo API key (per country) is missing, wrong, or the account is not active"
        case .timeout: "Cleo did not respond in time"
        case .unavailable: "Cleo service error"
        case .rateLimited: "too many requests"
        case .unknown: "unrecognised error"
        }
    }

    /// Whether sending a new cashier request is safe by the page's table. Credentials must be
    /// fixed first; an unknown error is not retried blindly.
    public var isSafeToRetry: Bool {
        switch self {
        case .timeout, .unavailable, .rateLimited: true
        case .invalidCredentials, .unknown: false
        }
    }

    /// What an operator should do next. For a pay-out the guidance first asks to confirm with
    /// the provider that no money moved: a console must never invite a double payout.
    public func guidance(for method: PaymentMethod?) -> String {
        let advice: String
        switch self {
        case .invalidCredentials:
            advice = "Check the regional API key for this country in Config (set, correct, account active); do not retry until it is fixed."
        case .timeout:
            advice = "Safe to retry: send a new cashier request."
        case .unavailable:
            advice = "Safe to retry with backoff: send a new cashier request after a pause."
        case .rateLimited:
            advice = "Retry after a delay: slow down the requests."
        case .unknown:
            advice = "Check the raw response; contact support if it persists. Do not retry blindly."
        }
        if method == .payOut {
            return "Pay-out: first confirm with Cleo that no money moved for this transaction. " + advice
        }
        return advice
    }

    /// An exact code (unknown codes are kept and shown as they are, events-log.md).
    public init?(code: String) {
        guard let known = PSPErrorCode.allCases.first(where: { $0.rawValue.sameBytes(as: code) }) else { return nil }
        self = known
    }
}
