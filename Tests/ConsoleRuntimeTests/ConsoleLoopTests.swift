import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
import TerminalCanvas
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A terminal for the loop tests (ratatui's `TestBackend`): input is scripted, frames are kept.
final class RecordingTerminal: TerminalDevice, @unchecked Sendable {
    private let lock = NSLock()
    private var queued: [TerminalInput] = []
    private var frames: [Canvas] = []
    private var lastFrame: Canvas? { frames.last }
    private(set) var framesDrawn = 0
    private(set) var copied: [String] = []
    private let pipeFDs: [Int32]
    let size: Size

    init(size: Size = Size(width: 80, height: 24)) {
        self.size = size
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        pipeFDs = fds
    }

    deinit { pipeFDs.forEach { close($0) } }

    var inputDescriptor: Int32 { pipeFDs[0] }

    func press(_ inputs: TerminalInput...) {
        lock.lock()
        queued += inputs
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(pipeFDs[1], &byte, 1)
    }

    func draw(_ frame: Canvas) {
        lock.lock()
        frames.append(frame)
        framesDrawn += 1
        let gate = held
        lock.unlock()
        if let gate {
            isHeld.signal()
            gate.wait()
        }
    }

    private var held: DispatchSemaphore?
    private let isHeld = DispatchSemaphore(value: 0)

    /// The next frame drawn holds the loop inside `draw` until `release()`: what is posted
    /// meanwhile is all waiting when the loop goes on. Returns once the loop is held.
    func holdNextDraw(after trigger: () -> Void) -> Bool {
        let gate = DispatchSemaphore(value: 0)
        lock.lock()
        held = gate
        lock.unlock()
        trigger()
        return isHeld.wait(timeout: .now() + 5) == .success
    }

    func release() {
        lock.lock()
        let gate = held
        held = nil
        lock.unlock()
        gate?.signal()
    }

    func invalidate() {}
    func hasHungUp(revents: Int16) -> Bool { false }

    func readInput() -> [TerminalInput] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(pipeFDs[0], &buffer, buffer.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let inputs = queued
        queued = []
        return inputs
    }

    func copyToClipboard(_ text: String) {
        lock.lock()
        copied.append(text)
        lock.unlock()
    }

    var screen: String {
        lock.lock()
        defer { lock.unlock() }
        return lastFrame?.rows.joined(separator: "\n") ?? ""
    }

    /// Every frame drawn since `index`, oldest first.
    func frames(since index: Int) -> [Canvas] {
        lock.lock()
        defer { lock.unlock() }
        return Array(frames.dropFirst(index))
    }

    var frameCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return framesDrawn
    }

    /// Waits (bounded) until the last frame contains `text`.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen
            if last.contains(text) { return last }
            usleep(20_000)
        }
        Issue.record("the frame never showed \(text.debugDescription):\n\(last)", sourceLocation: sourceLocation)
        return last
    }
}

/// A console loop on a temporary database and log, run on its own thread.
final class LoopHarness: @unchecked Sendable {
    let directory: URL
    let events: String
    let terminal = RecordingTerminal()
    /// The loop's mailbox: a test posts actions here as the workers do.
    let mailbox = Mailbox()
    let app: ConsoleApp
    private let ended = DispatchSemaphore(value: 0)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        events = directory.appendingPathComponent("events.jsonl").path
        FileManager.default.createFile(atPath: events, contents: nil)
        let dbPath = directory.appendingPathComponent("console.db").path
        let database = try AppDatabase.open(path: dbPath)
        app = ConsoleApp(database: database, eventsPath: events,
                         session: Session(environment: "sandbox", user: "test", origin: "local", zoneName: "UTC", offsetSeconds: 0, databasePath: dbPath),
                         actor: Actor(user: "test", origin: "local"))
    }

    func start(clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        let thread = Thread { [self] in
            try? app.runLoop(on: terminal, mailbox: mailbox, clock: clock)
            ended.signal()
        }
        thread.start()
    }

    /// Quits (q, or y after the question) and waits for the loop to end.
    func stop() -> Bool {
        terminal.press(.key(.character("q")))
        if ended.wait(timeout: .now() + 2) == .success { return true }
        terminal.press(.key(.character("y")))
        return ended.wait(timeout: .now() + 5) == .success
    }

    func append(_ lines: [String]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: events))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }
}

func line(_ id: String, _ status: String = "Pending") -> String {
    "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\(status)\",\"status\":\"\(status.uppercased())\","
        + "\"user_id\":\"u1\",\"amount\":\"1000\",\"currency\":\"CLP\"}"
}

@Suite(.serialized) struct ConsoleLoopTests {
    @Test func countsFollowEveryCommitEvenABurstWithNothingAfterIt() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        h.start()
        h.terminal.waitFor("No transactions yet")
        // A burst in one write, then silence: the count still catches up (throttled, not skipped).
        try h.append((0..<700).map { line(String(format: "burst-%04d", $0)) })
        h.terminal.waitFor("700 transactions")
        h.terminal.waitFor("row 1 of 700")
        try h.append([line("one-more")])
        h.terminal.waitFor("701 transactions")
        #expect(h.stop())
    }

    /// The loop's coalescing: what waits in the mailbox is reduced together and drawn once —
    /// a burst of 30 actions is one frame, not 30 (the console stays responsive under a feed).
    @Test func aBurstInTheMailboxIsReducedTogetherAndDrawnOnce() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append((0..<60).map { line(String(format: "row-%04d", $0)) })
        h.start()
        h.terminal.waitFor("row 1 of 60")
        usleep(200_000)  // the first page's loads answered
        // The loop held in the frame of one key press; 30 more posted as the workers post.
        guard h.terminal.holdNextDraw(after: { h.terminal.press(.key(.character("j"))) }) else {
            Issue.record("the loop drew nothing within 5 s of a key")
            h.terminal.release()
            return
        }
        let before = h.terminal.frameCount
        for _ in 0..<30 { h.mailbox.post(.key(.character("j"))) }
        h.terminal.release()
        h.terminal.waitFor("row 32 of 60")
        let frames = h.terminal.frames(since: before).map { $0.rows.joined(separator: "\n") }
        #expect(!frames.contains { frame in (3...31).contains { frame.contains("row \($0) of 60") } }, "an intermediate state was drawn")
        #expect(frames.count <= 3, "\(frames.count) frames for one burst")
        #expect(h.stop())
    }

    @Test func theSelectionStaysWhileTheFollowerAddsRows() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append((0..<60).map { line(String(format: "first-%04d", $0)) })
        h.start()
        h.terminal.waitFor("row 1 of 60")
        for _ in 0..<4 { h.terminal.press(.key(.character("j"))) }
        h.terminal.waitFor("row 5 of 60")
        for round in 0..<10 {
            try h.append((0..<5).map { line(String(format: "later-%02d-%d", round, $0)) })
            usleep(60_000)
        }
        let screen = h.terminal.waitFor("row 55 of 110")
        #expect(screen.contains("first-0055"))
        h.terminal.press(.key(.character("y")))
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && h.terminal.copied.isEmpty { usleep(20_000) }
        #expect(h.terminal.copied == ["first-0055"])
        #expect(h.stop())
    }

    @Test func aPasteFromTheDeviceIsTextAndAnIdleLoopDrawsOnlyOnTicks() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        h.start()
        h.terminal.waitFor("No transactions yet")
        h.terminal.press(.key(.character("/")))
        h.terminal.press(.key(.paste("665f\rq")))
        h.terminal.waitFor("search (id, psp id, user or reference prefix): 665f␍q")
        h.terminal.press(.key(.escape))
        h.terminal.waitFor("/ search")
        // Idle: a frame per clock tick at most (the status line's "last event" ages).
        usleep(300_000)
        let before = h.terminal.frameCount
        usleep(2_500_000)
        #expect(h.terminal.frameCount - before <= 4)
        #expect(h.stop())
    }

    @Test func eventsListTheNewestRejectedLinesFirst() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        try h.append(["{not json one", line("ok-1"), "{not json three", "{not json four"])
        h.start()
        h.terminal.waitFor("row 1 of 1")
        h.terminal.press(.key(.character("3")))
        let screen = h.terminal.waitFor("Rejected lines (3)")
        // The list's rows (the selected line's pane below names its line and code too).
        let list = screen.components(separatedBy: "── selected line")[0]
        let lineNumbers = list.split(separator: "\n").filter { $0.contains("INVALID_JSON") }.map { $0.split(separator: " ")[1] }
        #expect(lineNumbers == ["4", "3", "1"], "\(screen)")
        #expect(h.stop())
    }

    /// serve.md, "What the console shows": a refusal `serve` records (through the store, from
    /// another connection, as serve's process does) appears on screen 3 while it is open.
    @Test func aRefusalRecordedByTheStoreAppearsOnTheEventsScreen() throws {
        let h = try LoopHarness()
        defer { h.cleanup() }
        let serve = try AppDatabase.open(path: h.directory.appendingPathComponent("console.db").path)
        try serve.recordRefusedDeliveries([RefusedDelivery(at: Timestamp(millisecondsSince1970: 1_764_633_600_000), remote: "192.0.2.10",
                                                           status: 415, reason: "Content-Type must be application/json")])
        h.start()
        h.terminal.waitFor("Transactions")
        h.terminal.press(.key(.character("3")))
        h.terminal.waitFor("Refused deliveries (1)")
        h.terminal.press(.key(.tab))
        h.terminal.waitFor("REMOTE")
        // Recorded while the screen is open: the commit reaches it, newest first.
        try serve.recordRefusedDeliveries([RefusedDelivery(at: Timestamp(millisecondsSince1970: 1_764_633_660_000), remote: "198.51.100.\u{1B}[2J4",
                                                           status: 400, reason: "not strict JSON", raw: Array("{\"a\":".utf8), rawLength: 5)])
        let screen = h.terminal.waitFor("Refused deliveries (2)")
        // The list's rows (the selected refusal's pane below says `HTTP 400` too).
        let rows = screen.split(separator: "\n").filter { ($0.contains(" 415 ") || $0.contains(" 400 ")) && !$0.contains("HTTP") }
        #expect(rows.count == 2 && rows[0].contains("198.51.100.␛[2J4") && rows[0].contains("not strict JSON") && rows[1].contains("192.0.2.10"), "\(screen)")
        #expect(!screen.contains("\u{1B}"))
        // Enter on the newest shows its kept body through the raw view.
        h.terminal.press(.key(.enter))
        h.terminal.waitFor("{\"a\":")
        h.terminal.waitFor("400 from 198.51.100.")
        #expect(h.stop())
    }
}
