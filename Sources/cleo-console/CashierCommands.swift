import ArgumentParser
import CleoDomain
import CleoPlatform
import CleoStore
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// `cashier payin|payout|history` (cashier.md): build, validate and (with `--send`) send a
/// test request through Mozarto's cashier call, and the history of what each region's key got.
struct CashierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cashier",
        abstract: "Build, validate and send test cashier requests; the history of each regional key's tests.",
        subcommands: [PayIn.self, PayOut.self, History.self]
    )

    struct PayIn: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "payin", abstract: "A Pay-In request (dry run unless --send).",
                                                        discussion: CashierRequestOptions.discussion)
        @OptionGroup var location: Location
        @OptionGroup var request: CashierRequestOptions
        func run() throws { try CashierRun(location: location, options: request, method: .payIn).run() }
    }

    struct PayOut: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "payout", abstract: "A Pay-Out request (dry run unless --send).",
                                                        discussion: CashierRequestOptions.discussion)
        @OptionGroup var location: Location
        @OptionGroup var request: CashierRequestOptions
        func run() throws { try CashierRun(location: location, options: request, method: .payOut).run() }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every request sent, oldest first: who, when, region, type, amount, the answer.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let sends = try location.openForReading().cashierHistory()
                let time = OperatorTime()
                if json {
                    printOut(JSONOut.array(sends.map { Self.json($0, time: time) }).rendered())
                    return
                }
                if sends.isEmpty { printOut("no cashier request sent yet"); return }
                printOut("times in \(time.zoneName)")
                for send in sends {
                    var line = "\(time.short(send.at))  \(send.user)@\(send.origin)  \(send.environment)  \(send.region.countryCode)  \(send.method.shortName)  \(send.amount) \(send.currency)  \(send.result)"
                    if let status = send.httpStatus { line += "  HTTP \(status)" }
                    if let code = send.errorCode { line += "  \(code)" }
                    if let id = send.transactionID { line += "  tx \(id)" }
                    if let message = send.message { line += "  \(message)" }
                    printOut(TerminalText.sanitized(line))
                }
            }
        }

        static func json(_ send: CashierSendRecord, time: OperatorTime) -> JSONOut {
            .object([
                ("at", .string(time.rfc3339(send.at))), ("user", .string(send.user)), ("from", .string(send.origin)),
                ("environment", .string(send.environment)), ("baseUrl", .string(send.baseURL)),
                ("region", .string(send.region.countryCode)), ("type", .string(send.method.shortName)), ("userId", .string(send.userID)),
                ("amount", .string(send.amount)), ("currency", .string(send.currency)), ("keyFingerprint", .optional(send.keyFingerprint)),
                ("result", .string(send.result)), ("httpStatus", send.httpStatus.map { .number(String($0)) } ?? .null),
                ("errorCode", .optional(send.errorCode)), ("message", .optional(send.message)),
                ("transactionId", .optional(send.transactionID)), ("sessionId", .optional(send.sessionID)),
            ])
        }
    }
}

/// The request's source and the send's settings.
struct CashierRequestOptions: ParsableArguments {
    static let discussion = """
    Without --send: validate (every problem listed), show the regional key countryCode selects, the exact body and an
    equivalent curl command; nothing is sent. Exit 0 when valid, 65 when not, 78 when the regional key is not set.
    --from-file reads a body as in the provider page's example; field options start from a realistic template for the
    country (cashier payin --country CL alone is a complete sandbox request) and also override a file's fields.
    --send posts it: to https://backend.stg-app.mozarto.io (sandbox database) or https://backend.app.mozarto.io
    (production: a typed confirmation on a terminal, else --yes), or --base-url / CLEO_CONSOLE_PLATFORM_URL.
    The company token comes from --token-file / CLEO_CONSOLE_TOKEN_FILE, never the command line.
    Exit statuses of --send: 0 created, 65 refused, 69 unreachable or failing, 77 token refused, 78 no token or key.
    """

    @Option(name: .customLong("from-file"), help: "A JSON body as in the provider page's example.") var fromFile: String?
    @Option(help: "countryCode: CL, PE or MX (the template's country; default CL).") var country: String?
    @Option(help: "baseamount, a JSON number (e.g. 10000 or 50.00).") var amount: String?
    @Option(help: "currency and currencyCode.") var currency: String?
    @Option(help: "userId.") var user: String?
    @Option(help: "email (and emailVerification).") var email: String?
    @Option(name: .customLong("first-name"), help: "firstName.") var firstName: String?
    @Option(name: .customLong("last-name"), help: "lastName.") var lastName: String?
    @Option(help: "phone.") var phone: String?
    @Option(help: "gender.") var gender: String?
    @Option(help: "dob (YYYY-MM-DD).") var dob: String?
    @Option(name: .customLong("brand-id"), help: "brandId.") var brandId: String?
    @Option(name: .customLong("bonus-code"), help: "bonusCode.") var bonusCode: String?
    @Option(name: .customLong("field"), help: "NAME=VALUE for any other field (address.city=Lima; VALUE as JSON when it parses, else text). Repeatable.")
    var fields: [String] = []

    @Flag(help: "Send the request (otherwise a dry run).") var send = false
    @Flag(help: "With --send on a production database: no typed confirmation.") var yes = false
    @Flag(help: "JSON for scripts.") var json = false
    @Option(name: .customLong("base-url"), help: "The platform's base URL (env CLEO_CONSOLE_PLATFORM_URL; default by the database's environment).")
    var baseURL: String?
    @Option(name: .customLong("token-file"), help: "The company token (env CLEO_CONSOLE_TOKEN_FILE).") var tokenFile: String?
    @Option(name: .customLong("user-token-file"), help: "An x-user-token JWT, sent when given.") var userTokenFile: String?
    @Option(help: "Seconds to wait for the answer (env CLEO_CONSOLE_PLATFORM_TIMEOUT; default 30).") var timeout: Int?
}

/// What a command line failure of the cashier says and exits with (cli.md's 69/77/78 included).
struct CashierExit: Error {
    var status: Int32
    var message: String
}

struct CashierRun {
    let location: Location
    let options: CashierRequestOptions
    let method: PaymentMethod
    var env: [String: String] { ProcessInfo.processInfo.environment }

    func run() throws {
        do {
            try runReporting { try body() }
        } catch let exit as CashierExit {
            if !exit.message.isEmpty { StandardOutput.error("cleo-console: " + exit.message) }
            try StandardOutput.check()
            throw ExitCode(exit.status)
        }
    }

    /// Builds, validates, shows; sends with `--send`.
    func body() throws {
        let time = OperatorTime()
        let now = Timestamp.now()
        let request = try buildRequest()
        let today = String(RFC3339.format(now, offsetSeconds: time.offsetSeconds(now)).prefix(10))
        var validation = CashierRequest.validate(request, today: today, expected: method)
        let database = try options.send ? location.openForChange() : location.openForReading()
        // Every role may send (README, "Who may send a test"), where the send can be recorded:
        // the history is written before the answer is shown, so a user who may only read the
        // database is told at once, before anything is sent.
        if options.send && database.isReadOnly {
            throw CashierExit(status: 77, message: TerminalText.sanitized("this user may not write \(location.databasePath): a test send is recorded in the history first; nothing was sent"))
        }
        let stored = try database.configuration()
        let keyField = validation.apiKeyField
        let key = keyField.flatMap { stored.secrets[$0] }
        var keyMissing = false
        if let keyField, key == nil {
            keyMissing = true
            validation.problems.append(RequestProblem(field: "countryCode", rule: "selects \(keyField.rawValue), which is not set (cleo-console config set \(keyField.rawValue))"))
        }
        let base = try baseURL(environment: database.environment)
        let url = base + CashierBody.path
        let bodyText = CashierBody.render(.object(request))
        let userToken = try options.userTokenFile.map { try readToken($0, what: "user token") }
        let curl = CashierBody.curl(url: url, body: bodyText, userToken: userToken != nil)

        if !options.send || !validation.isValid {
            show(validation, key: key, keyField: keyField, url: url, body: bodyText, curl: curl, environment: database.environment)
            if validation.isValid { return }
            let onlyKey = keyMissing && validation.problems.count == 1
            throw CashierExit(status: onlyKey ? 78 : 65, message: options.send ? "not sent: the request has problems (listed above)" : "")
        }

        // --send
        let tokenPath = CashierSender.tokenPath(given: options.tokenFile, environment: env)
        guard let tokenPath else {
            throw CashierExit(status: 78, message: "no company token: give --token-file FILE or CLEO_CONSOLE_TOKEN_FILE (never on the command line); nothing was sent")
        }
        let token = try readToken(tokenPath, what: "company token")
        if database.environment == .production { try confirmProduction(validation) }
        let timeoutSeconds = try self.timeoutSeconds()
        if !options.json {
            printOut("sending \(method.shortName) \(validation.amount.map { $0.formatted(currency: validation.region?.currency) } ?? "") to \(TerminalText.sanitized(url)) with \(keyField?.rawValue ?? "?") \(key?.mask ?? "") \(key?.fingerprint ?? "")…")
            try StandardOutput.check()
        }
        let sent = CashierSender.sendAndRecord(.init(
            baseURL: base, body: bodyText, token: token, userToken: userToken, timeoutSeconds: timeoutSeconds, method: method,
            region: validation.region!, userID: text(request["userId"]) ?? "", amount: validation.amount?.literal ?? "",
            keyFingerprint: key?.fingerprint, actor: Actor.current(), at: now), database: database)
        let outcome = sent.outcome
        // Recorded before it is printed: a closed standard output loses no history.
        if let recordError = sent.recordError {
            printOutcome(outcome, listed: false)
            throw CashierExit(status: 1, message: "the answer above was not recorded in the history: \(recordError)")
        }
        let listed = sent.listed
        printOutcome(outcome, listed: listed)
        if outcome.result != .created { throw CashierExit(status: outcome.result.exitStatus, message: "") }
    }

    // MARK: building

    func buildRequest() throws -> JSONObject {
        var object: JSONObject
        if let path = options.fromFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                if FileManager.default.fileExists(atPath: path) { throw Failure.general("cannot read \(path)") }
                throw Failure.missing("no such file: \(path)")
            }
            guard data.count <= 1 << 20 else { throw Failure.data("\(path): more than 1 MiB; a cashier request is a few hundred bytes") }
            do {
                guard case .object(let parsed) = try StrictJSONParser.parse(Array(data)) else {
                    throw Failure.data("\(path): the body must be a JSON object")
                }
                object = parsed
            } catch let error as JSONSyntaxError {
                throw Failure.data("\(path): not JSON: \(error.description)")
            }
            if object["type"] == nil { CashierBody.set("type", to: .string(method.shortName), in: &object) }
        } else {
            let code = options.country ?? "CL"
            guard let region = Region(countryCode: code) else {
                throw Failure.data("--country: must be CL, PE or MX (not \(TerminalText.sanitized(code)))")
            }
            object = CashierBody.template(region, method: method)
        }
        if let country = options.country {
            CashierBody.set("countryCode", to: .string(country), in: &object)
            CashierBody.set("address.country", to: .string(country), in: &object)
            if options.fromFile == nil || options.currency == nil, let region = Region(countryCode: country), options.fromFile == nil {
                CashierBody.set("currency", to: .string(region.currency.rawValue), in: &object)
                CashierBody.set("currencyCode", to: .string(region.currency.rawValue), in: &object)
            }
        }
        if let amount = options.amount { CashierBody.set("baseamount", to: jsonNumberOrText(amount), in: &object) }
        if let currency = options.currency {
            CashierBody.set("currency", to: .string(currency), in: &object)
            CashierBody.set("currencyCode", to: .string(currency), in: &object)
        }
        let plain: [(String, String?)] = [
            ("userId", options.user), ("email", options.email), ("emailVerification", options.email),
            ("firstName", options.firstName), ("lastName", options.lastName), ("phone", options.phone),
            ("gender", options.gender), ("dob", options.dob), ("brandId", options.brandId), ("bonusCode", options.bonusCode),
        ]
        for case let (name, value?) in plain { CashierBody.set(name, to: .string(value), in: &object) }
        for assignment in options.fields {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw Failure.usage("--field takes NAME=VALUE (not \(TerminalText.sanitized(assignment)))")
            }
            let name = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...])
            let parsed = (try? StrictJSONParser.parse(Array(value.utf8))) ?? .string(value)
            CashierBody.set(name, to: parsed, in: &object)
        }
        return object
    }

    func jsonNumberOrText(_ text: String) -> JSONValue {
        if case .number(let literal)? = try? StrictJSONParser.parse(Array(text.utf8)) { return .number(literal) }
        return .string(text)
    }

    func text(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return s }
        return nil
    }

    // MARK: settings

    func baseURL(environment: ConsoleEnvironment) throws -> String {
        do { return try CashierSender.baseURL(given: options.baseURL, environment: env, database: environment) } catch let problem as CashierSendProblem { throw Failure.usage(problem.message) }
    }

    func timeoutSeconds() throws -> Int {
        do { return try CashierSender.timeoutSeconds(given: options.timeout, environment: env) } catch let problem as CashierSendProblem { throw Failure.usage(problem.message) }
    }

    func readToken(_ path: String, what: String) throws -> String {
        do { return try CashierSender.readToken(path, what: what) } catch let problem as CashierSendProblem { throw CashierExit(status: problem.status, message: problem.message) }
    }

    func confirmProduction(_ validation: CashierRequestValidation) throws {
        if options.yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CashierExit(status: 64, message: "this database serves PRODUCTION: a real \(method.displayName) would be created; give --yes to send without a terminal; nothing was sent")
        }
        let word = "production"
        StandardOutput.rawError("PRODUCTION: this creates a real \(method.displayName) of \(validation.amount?.literal ?? "") \(validation.region?.currency.rawValue ?? ""). Type \(word) to send: ")
        var line = [UInt8]()
        var byte: UInt8 = 0
        while line.count < 64, Glibc.read(STDIN_FILENO, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        guard line == Array(word.utf8) else { throw CashierExit(status: 1, message: "not confirmed; nothing was sent") }
    }

    // MARK: output

    func show(_ validation: CashierRequestValidation, key: StoredConfiguration.SecretHint?, keyField: ConfigField?, url: String, body: String,
              curl: String, environment: ConsoleEnvironment) {
        if options.json {
            printOut(JSONOut.object([
                ("result", .string(validation.isValid ? "valid" : "invalid")),
                ("environment", .string(environment.rawValue)),
                ("problems", .array(validation.problems.map { .object([("field", .string($0.field)), ("rule", .string($0.rule))]) })),
                ("warnings", .array(validation.warnings.map { .object([("field", .string($0.field)), ("rule", .string($0.rule))]) })),
                ("apiKeyField", .optional(keyField?.rawValue)),
                ("apiKey", .optional(key?.mask)), ("fingerprint", .optional(key?.fingerprint)),
                ("url", .string(url)), ("body", .string(body)), ("curl", .string(curl)),
            ]).rendered())
            return
        }
        if validation.isValid {
            printOut("valid \(method.displayName) request" + (options.send ? "" : " (dry run: nothing sent; --send sends it)"))
        } else {
            printOut("\(validation.problems.count) problem\(validation.problems.count == 1 ? "" : "s"):")
            for problem in validation.problems { printOut(TerminalText.sanitized("  \(problem.field): \(problem.rule)")) }
        }
        for warning in validation.warnings { printOut(TerminalText.sanitized("warning: \(warning.field): \(warning.rule)")) }
        if let keyField {
            printOut("key: \(keyField.rawValue) " + (key.map { "\($0.mask)  \($0.fingerprint)" } ?? "(not set)"))
        } else {
            printOut("key: none (countryCode selects it)")
        }
        printOut("environment: \(environment.rawValue)")
        printOut("POST \(TerminalText.sanitized(url))")
        printOut("body: " + body)
        printOut("curl (with the company token in MOZARTO_TOKEN):")
        for line in curl.split(separator: "\n") { printOut(TerminalText.sanitized(String(line))) }
    }

    func printOutcome(_ outcome: CashierOutcome, listed: Bool) {
        if options.json {
            printOut(JSONOut.object([
                ("result", .string(outcome.result.rawValue)),
                ("httpStatus", outcome.httpStatus.map { .number(String($0)) } ?? .null),
                ("errorCode", .optional(outcome.errorCode)), ("message", .optional(outcome.message)),
                ("transactionId", .optional(outcome.transactionID)), ("sessionId", .optional(outcome.sessionID)),
                ("url", .optional(outcome.url)), ("guidance", .optional(outcome.guidance)),
                ("errors", .array(outcome.errors.map(JSONOut.string))), ("detail", .optional(outcome.detail)),
                ("listedAsPending", .bool(listed)),
            ]).rendered())
            return
        }
        for line in outcome.lines { printOut(TerminalText.sanitized(line)) }
        if listed, let id = outcome.transactionID { printOut(TerminalText.sanitized("listed as Pending (origin: cashier): cleo-console tx show \(id)")) }
    }
}
