import ArgumentParser
import CleoDomain
import CleoService
import CleoStore
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// `cleo-console serve` (serve.md): receive Mozarto's webhooks into the events log, durably, and
/// follow that log into the database, in one process.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive the webhook deliveries into the events log (durably) and follow the log into the database.",
        discussion: """
            Serves POST on the path of the configured webhookUrl, GET /healthz and GET /metrics. \
            HTTPS with --tls-cert/--tls-key, or a TLS front (nginx, caddy) before a loopback serve: see the README's "serve" section. \
            SIGTERM/SIGINT drain and exit 0; SIGHUP reopens the log (logrotate).
            """)

    @OptionGroup var location: Location
    @Option(help: "HOST:PORT to listen on (port 0: any free port, printed at start).") var listen = "127.0.0.1:8080"
    @Flag(help: "Allow listening on a non-loopback address without TLS (for a TLS proxy on another host).") var insecureHTTP = false
    @Flag(help: "Receive only: leave the database to another follower.") var noFollow = false
    @Option(help: "PEM certificate chain: serve HTTPS itself (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(help: "Seconds a request may take to arrive whole, from its first byte (trickled headers or bodies are cut).") var requestTimeout = 10.0
    @Option(help: "Seconds a kept-alive connection may wait for its next request.") var idleTimeout = 60.0
    @Option(help: "Connections open at once; more are closed as they arrive (default: 4096, or the descriptor limit less 128).") var maxConnections: Int?

    func run() throws {
        try runReporting {
            // Supervisors and Foundation's Process may start us with these blocked; unblock before any thread exists.
            var set = sigset_t()
            sigemptyset(&set)
            for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
            sigprocmask(SIG_UNBLOCK, &set, nil)

            guard let (host, port) = Self.parseListen(listen) else {
                throw Failure.usage("--listen takes HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), not \(TerminalText.sanitized(listen))")
            }
            let loopback = Self.isLoopback(host)
            if (tlsCert == nil) != (tlsKey == nil) { throw Failure.usage("--tls-cert and --tls-key go together") }
            var tls: ServeTLS?
            if let tlsCert, let tlsKey {
                do throws(ServeTLS.Problem) { tls = try ServeTLS.load(certificate: tlsCert, key: tlsKey) } catch {
                    printErr("cleo-console: " + TerminalText.sanitized(error.description))
                    if case .missing = error { throw ExitCode(66) }
                    throw ExitCode(1)
                }
            }
            if !loopback && !insecureHTTP && tls == nil {
                throw Failure.usage("listening on \(TerminalText.sanitized(host)) without TLS needs --insecure-http (for a TLS proxy on another host); on this host, listen on 127.0.0.1 behind the proxy")
            }
            let database = try location.open()
            let initial = try Self.settings(database)
            guard initial.path != nil else {
                printErr("cleo-console: serve needs a webhookUrl: cleo-console config set webhookUrl https://ops.example.com/hooks/cleo")
                throw ExitCode(78)
            }
            if initial.isSecured && initial.authorization == nil {
                printErr("cleo-console: isWebhookSecured is true but no webhookAuthorization is set: printf %s \"$VALUE\" | cleo-console config set webhookAuthorization")
                throw ExitCode(78)
            }
            let say: @Sendable (String) -> Void = { printErr("cleo-console serve: " + TerminalText.sanitized($0)) }
            if !loopback && tls == nil { say("WARNING: listening on \(host) without TLS (--insecure-http): deliveries and their Authorization travel in clear to this port") }
            say("path \(initial.path ?? "-"), events log \(location.eventsPath), database \(database.path), \(initial.isSecured ? "secured (Authorization required)" : "not secured (no Authorization required)")\(noFollow ? ", not following" : ", following")")
            let settings = LiveSettings(initial: initial, load: { try Self.settings(database) }, say: say)
            var options = ServeRunner.Options(host: host, port: port, eventsPath: location.eventsPath, follow: !noFollow, tls: tls)
            guard ConnectionLimits.seconds.contains(requestTimeout), ConnectionLimits.seconds.contains(idleTimeout), (maxConnections ?? 1) > 0 else {
                throw Failure.usage("--request-timeout and --idle-timeout take 0.1 to 86400 seconds, --max-connections a positive number")
            }
            options.limits.requestSeconds = requestTimeout
            options.limits.idleSeconds = idleTimeout
            if let maxConnections { options.limits.maxConnections = maxConnections }
            let runner = ServeRunner(options: options,
                                     database: database, settings: settings, say: say)
            let status = runner.run()
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// The receiver's view of the configuration.
    static func settings(_ database: AppDatabase) throws -> WebhookSettings {
        let config = try database.configuration()
        return WebhookSettings(path: WebhookSettings.path(ofWebhookURL: config.plain[.webhookUrl]), isSecured: config.isWebhookSecured,
                               authorization: try database.webhookAuthorization().map { Array($0.utf8) })
    }

    /// `HOST:PORT` or `[IPv6]:PORT`.
    static func parseListen(_ text: String) -> (String, Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// `events refused [--json]`: the deliveries serve refused, kept for support.
struct RefusedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refused", abstract: "The deliveries serve refused: time, remote address, status, reason.")
    @OptionGroup var location: Location
    @Flag(help: "JSON for scripts.") var json = false

    func run() throws {
        try runReporting {
            let refusals = try location.openForReading().refusedDeliveries()
            let time = OperatorTime()
            if json {
                printOut(JSONOut.array(refusals.map { r in
                    .object([("at", .string(time.rfc3339(r.at))), ("remote", .string(r.remote)),
                             ("status", .number(String(r.status))), ("reason", .string(r.reason))])
                }).rendered())
                return
            }
            if refusals.isEmpty { printOut("no refused deliveries"); return }
            for r in refusals {
                let at = time.short(r.at)
                let body = r.raw.map { _ in "  (body kept: \(r.rawLength) bytes)" } ?? ""
                printOut(TerminalText.sanitized("\(at)  \(r.remote)  \(r.status)  \(r.reason)\(body)"))
            }
            printOut("\(refusals.count) refused deliver\(refusals.count == 1 ? "y" : "ies")")
        }
    }
}
