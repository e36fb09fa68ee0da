import CleoDomain
import CleoFollower
import CleoStore
import Dispatch
import Foundation
import NIOCore
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// `serve` put together: the receiver (HTTP → compact line → group commit) and the follower
/// (log → database) in one process, the configuration reloaded live, SIGTERM/SIGINT draining,
/// SIGHUP reopening the log.
public final class ServeRunner: @unchecked Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var eventsPath: String
        public var follow: Bool
        public var tls: ServeTLS?
        public var limits = ConnectionLimits()
        public init(host: String, port: Int, eventsPath: String, follow: Bool, tls: ServeTLS? = nil) {
            self.host = host
            self.port = port
            self.eventsPath = eventsPath
            self.follow = follow
            self.tls = tls
        }
    }

    /// The follower may be this far behind before /healthz says so (serve.md).
    public static let healthyLagSeconds = 10.0
    /// SIGTERM to exit, at most (serve.md says 5 s; the rest is the process's own teardown).
    public static let drainSeconds = 4.5

    let options: Options
    let database: AppDatabase
    let settings: LiveSettings
    let say: @Sendable (String) -> Void
    let metrics: ServiceMetrics
    let lag: FollowerLag
    private let stopLock = NSLock()
    private var followerStopping = false

    public init(options: Options, database: AppDatabase, settings: LiveSettings, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        let lag = FollowerLag()
        self.lag = lag
        let lagNow: @Sendable () -> Double = { lag.seconds }
        metrics = ServiceMetrics(followerLag: options.follow ? lagNow : nil)
        self.database = database
        self.settings = settings
        self.say = say
    }

    /// Runs until SIGTERM/SIGINT; returns the exit status.
    public func run() -> Int32 {
        let metrics = metrics, lag = lag, say = say
        let log: GroupCommitLog
        do {
            // A bare file name is in the working folder: nothing to create (creating "" failed).
            let folder = (options.eventsPath as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            log = try GroupCommitLog(path: options.eventsPath, onSync: { metrics.fsync(seconds: $0) },
                                     onCommit: { lag.committed(device: $0, inode: $1, end: $2) }, say: say)
        } catch {
            say("cannot open the events log: \(error)")
            return 74
        }
        let hangUp = Self.onSignal(SIGHUP) {
            say("SIGHUP: reopening the events log \(self.options.eventsPath)")
            log.requestReopen()
        }
        let stopRequested = DispatchSemaphore(value: 0)
        let deadline = [SIGTERM, SIGINT].map { signal in
            Self.onSignal(signal) {
                say("\(signal == SIGTERM ? "SIGTERM" : "SIGINT"): draining (no new connections; answering what is in flight)")
                stopRequested.signal()
                // A drain that takes too long (a client holding its request open) must not keep a
                // supervisor waiting: every delivery answered 200 is already durable.
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.drainSeconds) {
                    say("still draining after \(Self.drainSeconds) s: exiting (no unanswered delivery was acknowledged)")
                    _exit(0)
                }
            }
        }
        let beat = ServiceBeat(databasePath: database.path, listen: "\(options.host):\(options.port)", isSecured: settings.current.isSecured)
        beat.start()
        settings.start { previous, next in
            if previous.isSecured != next.isSecured { beat.securityChanged(next.isSecured) }
            if previous.path != next.path { say("webhook path now \(next.path ?? "(none: every delivery is refused with 404)")") }
            if previous.isSecured != next.isSecured { say("webhook security now \(next.isSecured ? "on" : "off")") }
            if previous.authorization != next.authorization { say("webhookAuthorization changed") }
        }
        let followerDone = options.follow ? startFollower() : nil

        let refusals = RefusalRecorder(store: { [database] in try database.recordRefusedDeliveries($0) }, say: say)
        let eventsPath = options.eventsPath
        let follow = options.follow
        let receiver = WebhookReceiver(
            settings: settings, log: log, metrics: metrics, refusals: refusals, beat: beat,
            health: { Self.health(log: log, eventsPath: eventsPath, lagSeconds: follow ? lag.seconds : nil) },
            clock: { Timestamp.now() })
        let host = options.host
        let scheme = options.tls == nil ? "http" : "https"
        let tls: NIOSSLContext?
        do {
            tls = try options.tls.map { try NIOSSLContext(configuration: $0.configuration) }
        } catch {
            say("cannot set up TLS: \(error)")
            return 1
        }
        var failure: String?
        do {
            let listener = try HTTPListener(host: host, port: options.port, tls: tls, limits: options.limits, receiver: receiver)
            beat.listening(on: "\(scheme)://\(host):\(listener.port)")
            say("listening on \(scheme)://\(host):\(listener.port)")
            let died = LockedBox(false)
            listener.onUnexpectedClose {
                died.set(true)
                stopRequested.signal()
            }
            stopRequested.wait()
            if died.get() { failure = "the listening socket closed" }
            listener.shutDown()
        } catch {
            failure = "\(error)"
        }
        // In-flight deliveries have been answered; write whatever is queued, stop the follower.
        log.drainAndStop()
        settings.stop()
        if let followerDone {
            stopLock.lock()
            followerStopping = true
            stopLock.unlock()
            followerDone.wait()
        }
        beat.stop()
        hangUp.cancel()
        deadline.forEach { $0.cancel() }
        if let problem = failure {
            say("the HTTP server stopped: \(problem)")
            return 1
        }
        say("stopped")
        return 0
    }

    private var shouldStopFollower: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return followerStopping
    }

    /// The follower on a thread of its own, restarted after an error.
    private func startFollower() -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let follower = LogFollower(path: options.eventsPath, writer: IngestWriter(database: database))
            while !shouldStopFollower {
                do {
                    // Commits paced at 250 ms: a busy receiver's lines share a SQLite commit
                    // (each writes every page it dirtied); serve.md allows 1 s behind the log.
                    try follower.follow(commitInterval: 0.25, shouldStop: { self.shouldStopFollower }, onBatch: { batch in
                        self.metrics.applied(lines: batch.counts.linesApplied)
                    }, onStatus: { status in
                        if let position = status.position {
                            self.lag.applied(device: position.device, inode: position.inode, offset: position.offset)
                        }
                    })
                } catch {
                    say("follower: \(error); trying again in 1 s")
                    sleep(1)
                }
            }
            done.signal()
        }
        thread.name = "cleo-follower"
        thread.start()
        return done
    }

    static func health(log: GroupCommitLog, eventsPath: String, lagSeconds: Double?) -> (ok: Bool, detail: String) {
        let snapshot = log.snapshot
        var problems: [String] = []
        if let failure = snapshot.failure { problems.append("the log cannot be written: " + failure) }
        var fs = statvfs()
        let directory = (eventsPath as NSString).deletingLastPathComponent
        if statvfs(directory.isEmpty ? "." : directory, &fs) == 0, UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < UInt64(DeliveryGate.maximumBodyBytes + 65_536) {
            problems.append("the log's disk is full")
        }
        if let lagSeconds, lagSeconds > healthyLagSeconds {
            problems.append(String(format: "the follower is %.1f s behind the log", lagSeconds))
        }
        let lagText = lagSeconds.map { String(format: "%.3f", $0) } ?? "null"
        let head = problems.isEmpty ? "{\"status\":\"ok\"" : "{\"status\":\"unavailable\",\"reason\":\(jsonString(problems.joined(separator: "; ")))"
        return (problems.isEmpty, head + ",\"linesWritten\":\(snapshot.linesWritten),\"commits\":\(snapshot.commits),\"followerLagSeconds\":\(lagText)}")
    }

    /// A dispatch source for `signal` (the default action turned off first when `ignore`).
    static func onSignal(_ signal: Int32, ignore: Bool = true, _ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        if ignore { Glibc.signal(signal, SIG_IGN) }
        let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}

/// A JSON string literal (our own messages may carry a path).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value):
            out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: Value) { lock.lock(); value = new; lock.unlock() }
}
