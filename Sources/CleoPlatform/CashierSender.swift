import CleoDomain
import CleoStore
import Foundation
import TerminalCanvas

/// Why a send did not start (no token, an unreadable token file, a bad setting): the words and
/// the exit status the command line uses (cli.md); the console shows the words.
public struct CashierSendProblem: Error, Sendable, Equatable {
    public var status: Int32
    public var message: String
    public init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }
}

/// One way to send a cashier request and keep what it got, for `cashier --send` and the
/// console's `t` alike: the settings read from the environment as the command line reads them,
/// the token from a file (never argv), the answer normalised, redacted and recorded.
public enum CashierSender {
    public static func tokenPath(given: String?, environment: [String: String]) -> String? {
        given ?? environment["CLEO_CONSOLE_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The platform's base URL: given, else `CLEO_CONSOLE_PLATFORM_URL`, else by the database's environment.
    public static func baseURL(given: String?, environment: [String: String], database: ConsoleEnvironment) throws -> String {
        let given = given ?? environment["CLEO_CONSOLE_PLATFORM_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let base = given ?? (database == .production ? "https://backend.app.mozarto.io" : "https://backend.stg-app.mozarto.io")
        if let problem = PlatformURL.problem(base) {
            throw CashierSendProblem(status: 64, message: "base URL \(TerminalText.sanitized(base)): \(problem)")
        }
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// Seconds to wait: given, else `CLEO_CONSOLE_PLATFORM_TIMEOUT`, else 30.
    public static func timeoutSeconds(given: Int?, environment: [String: String]) throws -> Int {
        if let seconds = given {
            guard (1...600).contains(seconds) else { throw CashierSendProblem(status: 64, message: "--timeout: 1 to 600 seconds") }
            return seconds
        }
        if let text = environment["CLEO_CONSOLE_PLATFORM_TIMEOUT"], !text.isEmpty {
            guard let seconds = Int(text), (1...600).contains(seconds) else {
                throw CashierSendProblem(status: 64, message: "CLEO_CONSOLE_PLATFORM_TIMEOUT: 1 to 600 seconds (not \(TerminalText.sanitized(text)))")
            }
            return seconds
        }
        return 30
    }

    /// A token from a file: one trailing newline removed; what a header value can carry, nothing else
    /// (a CR or LF would start another header). Its value is never shown.
    public static func readToken(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CashierSendProblem(status: 78, message: "the \(what) file \(TerminalText.sanitized(path)) cannot be read; nothing was sent")
        }
        var bytes = Array(data.prefix(16_385))
        guard bytes.count <= 16_384 else { throw CashierSendProblem(status: 65, message: "the \(what) file holds more than 16 KiB; nothing was sent") }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        if bytes.starts(with: Array("Bearer ".utf8)) { bytes.removeFirst(7) }
        guard !bytes.isEmpty else { throw CashierSendProblem(status: 78, message: "the \(what) file is empty; nothing was sent") }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw CashierSendProblem(status: 65, message: "the \(what) file holds a space, a control or a non-ASCII character, which no token has; nothing was sent")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What is sent, and what the history says about it.
    public struct Sending: Sendable {
        public var baseURL: String
        public var body: String
        public var token: String
        public var userToken: String?
        public var timeoutSeconds: Int
        public var method: PaymentMethod
        public var region: Region
        public var userID: String
        public var amount: String
        public var keyFingerprint: String?
        public var actor: Actor
        public var at: Timestamp

        public init(baseURL: String, body: String, token: String, userToken: String?, timeoutSeconds: Int, method: PaymentMethod,
                    region: Region, userID: String, amount: String, keyFingerprint: String?, actor: Actor, at: Timestamp) {
            self.baseURL = baseURL
            self.body = body
            self.token = token
            self.userToken = userToken
            self.timeoutSeconds = timeoutSeconds
            self.method = method
            self.region = region
            self.userID = userID
            self.amount = amount
            self.keyFingerprint = keyFingerprint
            self.actor = actor
            self.at = at
        }
    }

    public struct Sent: Sendable {
        public var outcome: CashierOutcome
        /// A Pending transaction was listed for it.
        public var listed: Bool
        /// Why the answer is not in the history (it was still received).
        public var recordError: String?
    }

    /// Sends, normalises (the tokens redacted from anything the platform echoed), records.
    public static func sendAndRecord(_ sending: Sending, database: AppDatabase) -> Sent {
        let request = PlatformClient.Request(url: sending.baseURL + CashierBody.path, body: Array(sending.body.utf8), token: sending.token,
                                             userToken: sending.userToken, timeoutSeconds: sending.timeoutSeconds)
        let reply = PlatformClient.sendAndWait(request)
        let outcome = CashierOutcome.normalise(reply, method: sending.method, sentUserToken: sending.userToken != nil)
            .redacting([sending.token] + (sending.userToken.map { [$0] } ?? []))
        let record = CashierSendRecord(
            at: sending.at, user: sending.actor.user, origin: sending.actor.origin, environment: database.environment.rawValue,
            baseURL: sending.baseURL, region: sending.region, method: sending.method, userID: sending.userID, amount: sending.amount,
            currency: sending.region.currency.rawValue, keyFingerprint: sending.keyFingerprint,
            result: outcome.result.rawValue, httpStatus: outcome.httpStatus, errorCode: outcome.errorCode, message: outcome.message,
            transactionID: outcome.transactionID, sessionID: outcome.sessionID)
        do {
            return Sent(outcome: outcome, listed: try database.recordCashierSend(record), recordError: nil)
        } catch {
            return Sent(outcome: outcome, listed: false, recordError: "\(error)")
        }
    }
}
