import ArgumentParser
import CleoDomain
import CleoFollower
import CleoStore
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "The events log's rejected lines and the deliveries serve refused.", subcommands: [Rejected.self, RefusedCommand.self])

    struct Rejected: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rejected lines: file, line, offset, code, message.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let lines = try location.openForReading().rejectedLines()
                if json {
                    printOut(JSONOut.array(lines.map { r in
                        .object([("file", .string(r.file)), ("line", .number(String(r.line))), ("offset", .number(String(r.offset))),
                                 ("code", .string(r.code)), ("message", .string(r.message))])
                    }).rendered())
                    return
                }
                if lines.isEmpty { printOut("no rejected lines"); return }
                for r in lines {
                    printOut(TerminalText.sanitized("\(r.file):\(r.line) @\(r.offset)  \(r.code)  \(r.message)"))
                }
                printOut("\(lines.count) rejected line\(lines.count == 1 ? "" : "s")")
            }
        }
    }
}

/// Set by SIGINT/SIGTERM: `ingest --follow` stops at the next batch boundary.
nonisolated(unsafe) let stopRequested = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)

func installStopHandlers() {
    stopRequested.pointee = 0
    // A parent may have started us with these signals blocked (Foundation's Process does).
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in stopRequested.pointee = 1 }
    signal(SIGTERM) { _ in stopRequested.pointee = 1 }
}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Apply the events log's new lines to the database and print a summary.",
        discussion: "Rejected lines are data, not failures: they are counted, kept (`events rejected`) and the exit status stays 0.")
    @OptionGroup var location: Location
    @Flag(help: "Keep following until interrupted.") var follow = false
    /// Two batches are in memory at once (one read ahead while the other is written): 25,000
    /// lines keep a backlog load under 256 MB and cost nothing in speed against 50,000.
    @Option(help: "Lines per committed batch.") var batch: Int = 25_000

    /// Logs at least this large are loaded into an empty database in bulk.
    static let bulkThreshold = 32 << 20

    func run() throws {
        try runReporting {
            var database = try location.open(tuning: .bulk)
            // A backlog into an empty database: indexes built once, after the load, on a
            // connection of the load's own (see `BulkLoad`); the database is opened again after.
            let size = Self.readableLogSize(location.eventsPath)
            let bulk = size >= Self.bulkThreshold ? try database.beginBulkLoad() : nil
            // What a bulk load applied, so `--follow`'s final total includes it.
            var backlog = BatchSummary()
            if let bulk {
                printErr("loading a backlog of \(size / 1_000_000) MB into an empty database: indexes are built after the load")
                let loader = LogFollower(path: location.eventsPath, writer: bulk.writer, batchLines: max(1, batch))
                let loadStart = Date()
                let cpuStart = (thread: Self.cpuSeconds(CLOCK_THREAD_CPUTIME_ID), process: Self.cpuSeconds(CLOCK_PROCESS_CPUTIME_ID))
                let progress = BulkProgress(logBytes: size)
                let summary = try loader.catchUp(onBatch: progress.batch)
                progress.say("building the indexes…")
                let indexStart = Date()
                let cpuLoad = (thread: Self.cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart.thread, process: Self.cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpuStart.process)
                try bulk.finish()
                progress.end()
                if ProcessInfo.processInfo.environment["CLEO_CONSOLE_TIMING"] != nil {
                    // CPU seconds too: this machine's wall times vary by ±15% from run to run.
                    printErr(String(format: "load %.2f s (CPU: writer thread %.2f s, all threads %.2f s), index build %.2f s",
                                    indexStart.timeIntervalSince(loadStart), cpuLoad.thread, cpuLoad.process, Date().timeIntervalSince(indexStart))
                             + (bulk.rollbackJournal ? ", rollback journal" : ", WAL"))
                }
                // Opened again, and the stop handlers in place, before the summary is printed:
                // `--follow` is ready for a stop once it is (a SIGTERM right after the summary
                // used to find the default action and end the process with status 15).
                if follow {
                    database = try location.open(tuning: .bulk)
                    installStopHandlers()
                }
                printOut(Self.describe(summary.counts, newTransactions: summary.newTransactions))
                if !follow { return }
                backlog = summary
            }
            let writer = IngestWriter(database: database)
            let follower = LogFollower(path: location.eventsPath, writer: writer, batchLines: max(1, batch))
            if !follow {
                let summary: BatchSummary
                do {
                    summary = try follower.catchUp()
                } catch let error as LogOpenError {
                    // cli.md: 77 when the operating system forbids it, 66 for a log that is no
                    // file to read (a FIFO would block, `/dev/zero` never ends).
                    printErr("cleo-console: " + TerminalText.sanitized("\(error)"))
                    if case .permissionDenied = error { throw ExitCode(77) }
                    throw ExitCode(66)
                }
                if follower.status.phase == .waitingForLog {
                    printErr(TerminalText.sanitized("the events log \(follower.path) does not exist yet; nothing to apply"))
                }
                printOut(Self.describe(summary.counts, newTransactions: summary.newTransactions))
                return
            }
            if bulk == nil { installStopHandlers() }  // after a bulk load they are in place (above)
            var total = backlog
            var announcedWaiting: String?
            var announcedFailure: String?
            // 100 ms between commits: a console reading this database sees them through its 150 ms
            // `data_version` poll anyway, and a fast feed costs the disk a quarter of 20 ms pacing.
            try follower.follow(commitInterval: 0.1, shouldStop: { stopRequested.pointee != 0 || StandardOutput.hasFailed }, onBatch: { summary in
                total.counts = total.counts + summary.counts
                total.newTransactions += summary.newTransactions
                printOut(Self.describe(summary.counts, newTransactions: summary.newTransactions))
            }, onStatus: { status in
                // Each state said once, when it begins: what it waits for, what failed, recovery.
                switch status.phase {
                case .waitingForLog:
                    let reason = status.waitingFor.map { "waiting: \($0)…" } ?? "waiting for the events log \(status.path) to appear…"
                    if announcedWaiting != reason { printErr(TerminalText.sanitized(reason)) }
                    announcedWaiting = reason
                case .failed(let message):
                    let said = message.components(separatedBy: "; retrying").first ?? message
                    if announcedFailure != said { printErr(TerminalText.sanitized("follower failed: \(message)")) }
                    announcedFailure = said
                case .following, .starting:
                    announcedWaiting = nil
                    announcedFailure = nil
                }
                if let recovered = status.recovered { printErr(TerminalText.sanitized("follower \(recovered)")) }
            })
            printOut("total: " + Self.describe(total.counts, newTransactions: total.newTransactions))
        }
    }

    /// The log's size when it is a regular file this user may open (through a symlink too), else
    /// 0: a log that cannot be read goes the ordinary way to its error and exit status (cli.md),
    /// never into a bulk load begun on the empty database and left unfinished.
    static func readableLogSize(_ path: String) -> Int {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int(info.st_size)
    }

    /// CPU seconds of this thread (`CLOCK_THREAD_CPUTIME_ID`) or of the whole process.
    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func describe(_ c: FollowerCounts, newTransactions: Int) -> String {
        "\(c.linesApplied) lines applied: \(c.events) events (\(c.duplicates) duplicates, \(c.late) late), \(c.rejected) rejected, \(c.blank) blank; \(newTransactions) new transactions"
    }
}

/// A bulk load's progress on standard error: one line rewritten in place, at most once a second,
/// and only when standard error is a terminal (a script's log gets the summary alone).
final class BulkProgress {
    let logBytes: Int
    let enabled = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastShown = Date.distantPast
    private var lines: Int64 = 0
    private var shownWidth = 0

    init(logBytes: Int) { self.logBytes = logBytes }

    func batch(_ summary: BatchSummary) {
        lines += summary.counts.linesApplied
        guard Date().timeIntervalSince(lastShown) >= 1 else { return }
        lastShown = Date()
        let percent = logBytes > 0 ? min(100, Int(summary.endOffset * 100 / Int64(logBytes))) : 0
        say("\(lines) lines applied, \(percent)% of the log, \(Int(Date().timeIntervalSince(start))) s")
    }

    /// Replaces the progress line with `text`.
    func say(_ text: String) {
        guard enabled else { return }
        let padding = String(repeating: " ", count: max(0, shownWidth - text.count))
        StandardOutput.rawError("\r" + text + padding)
        shownWidth = text.count
    }

    /// Clears the progress line.
    func end() {
        guard enabled, shownWidth > 0 else { return }
        StandardOutput.rawError("\r" + String(repeating: " ", count: shownWidth) + "\r")
        shownWidth = 0
    }
}
