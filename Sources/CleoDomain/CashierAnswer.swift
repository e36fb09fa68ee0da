import Foundation

/// What came back from `POST /v1/api/mozarto/cashier`: an HTTP answer, or no answer at all.
public enum CashierReply: Sendable, Equatable {
    case http(status: Int, body: [UInt8])
    case transport(TransportFailure)
}

/// Why no HTTP answer arrived.
public enum TransportFailure: Sendable, Equatable {
    case timeout(seconds: Int)
    case connectionRefused
    case tls(String)
    case other(String)

    var words: String {
        switch self {
        case .timeout(let seconds): "no answer within \(seconds) s (timeout)"
        case .connectionRefused: "the connection was refused (nothing listening at the platform's address)"
        case .tls(let detail): "the TLS handshake failed: \(detail)"
        case .other(let detail): "the request failed on the way: \(detail)"
        }
    }
}

/// The normalised answer (cashier.md, "Answers, normalised"): what the operator is told, what
/// `--json` prints, what the history records, and the exit status.
public struct CashierOutcome: Sendable, Equatable {
    public enum Result: String, Sendable, Equatable, CaseIterable {
        /// 200, PENDING: exit 0.
        case created
        /// The platform refused the request (4xx, an errorCode): exit 65.
        case refused
        /// Unreachable or failing (5xx, timeout, connection, TLS, not JSON): exit 69.
        case failing
        /// The company token was refused (401/403): exit 77.
        case tokenRefused = "token-refused"

        public var exitStatus: Int32 {
            switch self {
            case .created: 0
            case .refused: 65
            case .failing: 69
            case .tokenRefused: 77
            }
        }
    }

    public var result: Result
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var transactionID: String?
    public var sessionID: String?
    public var url: String?
    public var errors: [String] = []
    /// Mozarto's `data` when it is text (some errors put their detail there).
    public var detail: String?
    /// What to do next, in words.
    public var guidance: String?

    /// Every line the operator reads, in order (untrusted text: sanitise before a terminal).
    public var lines: [String] {
        var out: [String] = []
        switch result {
        case .created:
            out.append("created: PENDING" + (httpStatus.map { " (HTTP \($0))" } ?? ""))
            if let url { out.append("hosted page: \(url)") }
        case .refused: out.append("refused by the platform" + (httpStatus.map { " (HTTP \($0))" } ?? ""))
        case .failing: out.append("the platform is unreachable or failing" + (httpStatus.map { " (HTTP \($0))" } ?? ""))
        case .tokenRefused: out.append("the company token was refused" + (httpStatus.map { " (HTTP \($0))" } ?? ""))
        }
        if let errorCode {
            if let known = PSPErrorCode(code: errorCode) {
                out.append("errorCode \(errorCode): \(known.meaning)")
            } else {
                out.append("errorCode \(errorCode): a code the console does not know (shown as given)")
            }
        }
        if let message { out.append("message: \(message)") }
        if let detail { out.append("detail: \(detail)") }
        for error in errors { out.append("error: \(error)") }
        if let sessionID { out.append("sessionId: \(sessionID)") }
        if let transactionID { out.append("transactionId: \(transactionID)") }
        if let guidance { out.append("what to do: \(guidance)") }
        return out
    }

    /// The longest platform text kept (a message, an error, the detail), and how many errors.
    public static let maximumTextLength = 1_000
    public static let maximumErrors = 50

    /// Normalises a reply. `method` shapes the retry guidance (a pay-out first confirms no money
    /// moved); `sentUserToken` explains a 504 (a user token that is not a JWT hangs the platform).
    public static func normalise(_ reply: CashierReply, method: PaymentMethod?, sentUserToken: Bool = false) -> CashierOutcome {
        let mayExist = "The request may or may not have been created: check the transaction list (and Mozarto's back office) before sending it again."
        let status: Int
        let bytes: [UInt8]
        switch reply {
        case .transport(let failure):
            return CashierOutcome(result: .failing, message: failure.words, guidance: mayExist)
        case .http(let s, let b):
            status = s
            bytes = b
        }
        guard let parsed = try? StrictJSONParser.parse(bytes), case .object(let body) = parsed else {
            let what = bytes.isEmpty ? "an empty body" : "a body that is not a JSON object"
            return CashierOutcome(result: .failing, httpStatus: status, message: "the platform answered with \(what)", guidance: mayExist)
        }
        var outcome = CashierOutcome(result: .refused, httpStatus: status)
        outcome.message = text(body["message"])
        outcome.transactionID = text(body["transactionId"])
        if case .array(let items)? = body["errors"] {
            outcome.errors = items.prefix(maximumErrors).compactMap { item in
                if case .string(let s) = item { return bounded(s) }
                return bounded(CashierBody.render(item))
            }
        }
        var data: JSONObject?
        switch body["data"] {
        case .object(let object)?: data = object
        case .string(let s)?: outcome.detail = bounded(s)
        default: break
        }

        // The errorCode first (the platform's rule): present means a normalised transport error.
        if let code = text(body["errorCode"]) {
            outcome.errorCode = code
            outcome.result = .refused
            outcome.guidance = PSPErrorCode(code: code)?.guidance(for: method)
                ?? "Check the raw response; contact Mozarto support with the transactionId if it persists."
            return outcome
        }
        switch status {
        case 200..<300:
            if case .bool(true)? = body["isSuccess"], let data, text(data["status"]) == "PENDING" {
                outcome.result = .created
                outcome.sessionID = text(data["sessionId"])
                outcome.url = text(data["url"])
                outcome.transactionID = text(data["transactionId"]) ?? outcome.transactionID
                outcome.guidance = outcome.transactionID == nil
                    ? "Nothing is final yet: the webhook brings the result. The answer carried no transactionId, so the list shows it when its first webhook arrives."
                    : "Nothing is final yet: the webhook brings the result; the transaction is listed as Pending until then."
                return outcome
            }
            outcome.result = .refused
            outcome.guidance = "The platform did not create the request (no PENDING in its answer); read its message."
        case 401, 403:
            outcome.result = .tokenRefused
            outcome.guidance = status == 401
                ? "The company token is missing, expired or invalid: get a valid one from Mozarto's back office (or check the user token: one of the user headers is needed)."
                : "The company token is valid but not allowed to do this (e.g. an expired password): fix the account in Mozarto's back office."
        case 500..<600:
            outcome.result = .failing
            var guidance = mayExist
            if status == 504 && sentUserToken {
                guidance = "An x-user-token that is not a decodable JWT makes the platform hang and answer 504: send a real JWT. " + guidance
            }
            outcome.guidance = guidance
        case 400..<500:
            outcome.result = .refused
            outcome.guidance = backOfficeFix(outcome.message, outcome.detail) ?? "Fix the request as the message and errors say, then send it again."
        default:
            outcome.result = .failing
            outcome.guidance = "An HTTP status the platform does not document. " + mayExist
        }
        return outcome
    }

    /// What to fix in Mozarto's back office for the two configuration refusals (research §3.3).
    static func backOfficeFix(_ texts: String?...) -> String? {
        let all = texts.compactMap { $0?.lowercased() }
        if all.contains(where: { $0.contains("rules action is not matched") }) {
            return "In Mozarto's back office create an active Orchestration rule that matches this company (and sub-brand) with pspType CLEO, then send again."
        }
        if all.contains(where: { $0.contains("psp configuration not found") }) {
            return "In Mozarto's back office, Payment Methods → Configuration: save the Cleo PSP configuration (cleoApiKey for the three countries, customerExternalKeyForCleo, webhookUrl; `cleo-console config export` gives it), then send again."
        }
        return nil
    }

    static func text(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return bounded(s) }
        return nil
    }

    static func bounded(_ s: String) -> String {
        s.count > maximumTextLength ? String(s.prefix(maximumTextLength)) + "…" : s
    }

    /// Every occurrence of a secret replaced by `[redacted]`: the platform could echo a header.
    public func redacting(_ secrets: [String]) -> CashierOutcome {
        let secrets = secrets.filter { $0.utf8.count >= 4 }
        guard !secrets.isEmpty else { return self }
        func clean(_ s: String?) -> String? {
            guard var s else { return nil }
            for secret in secrets { s = s.replacingOccurrences(of: secret, with: "[redacted]") }
            return s
        }
        var copy = self
        copy.message = clean(message)
        copy.detail = clean(detail)
        copy.errors = errors.map { clean($0)! }
        copy.url = clean(url)
        copy.sessionID = clean(sessionID)
        copy.transactionID = clean(transactionID)
        copy.errorCode = clean(errorCode)
        return copy
    }
}
