import CleoDomain
import CleoFollower
import CleoIngest
import CleoStore
import ConsoleUI
import Foundation
import TerminalCanvas
import TerminalCurses
#if canImport(Glibc)
import Glibc
#endif

/// The console's one loop: the thread that owns ncurses polls stdin and the mailbox, reads keys,
/// drains the mailbox, reduces, hands effects to the runner, and draws only when the state
/// changed (bursts merge into one frame). The follower and the change watcher post actions.
public final class ConsoleApp {
    let database: AppDatabase
    let eventsPath: String
    let session: Session
    let actor: Actor

    public init(database: AppDatabase, eventsPath: String, session: Session, actor: Actor) {
        self.database = database
        self.eventsPath = eventsPath
        self.session = session
        self.actor = actor
    }

    /// Set by SIGTERM/SIGHUP: the loop ends and the terminal is restored.
    nonisolated(unsafe) static let terminationRequested: UnsafeMutablePointer<sig_atomic_t> = {
        let flag = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        flag.initialize(to: 0)
        return flag
    }()
    /// Set by SIGINT (Ctrl-C at the terminal): the reducer decides, as for `q` — it asks first
    /// when there are unsaved edits. Installed before ncurses, which then leaves it alone.
    nonisolated(unsafe) static let interruptRequested: UnsafeMutablePointer<sig_atomic_t> = {
        let flag = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        flag.initialize(to: 0)
        return flag
    }()

    public func run() throws {
        Self.terminationRequested.pointee = 0
        // A parent may start us with signals blocked (the mask is inherited): SIGWINCH must reach
        // ncurses for resizes, SIGTERM/SIGHUP must reach us so the terminal is restored.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGTERM) { _ in ConsoleApp.terminationRequested.pointee = 1 }
        signal(SIGHUP) { _ in ConsoleApp.terminationRequested.pointee = 1 }
        Self.interruptRequested.pointee = 0
        signal(SIGINT) { _ in ConsoleApp.interruptRequested.pointee = 1 }
        signal(SIGPIPE, SIG_IGN)

        let terminal = CursesTerminal()
        defer { terminal.shutdown() }
        try runLoop(on: terminal, shouldEnd: { Self.terminationRequested.pointee != 0 })
    }

    /// The loop itself, on any terminal device (the recording terminal of the loop tests too):
    /// it starts the follower and the change watcher, and ends when the state stops running,
    /// `shouldEnd` says so, or the terminal hangs up.
    /// `mailbox`: where the workers post their results; a test passes its own to script actions
    /// beside the terminal's keys (a recording terminal drives the same loop).
    public func runLoop(on terminal: TerminalDevice, mailbox: Mailbox = Mailbox(), clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                        shouldEnd: () -> Bool = { false }) throws {
        let stop = StopFlag()
        defer { stop.set() }
        let runner = EffectRunner(database: database, mailbox: mailbox, actor: actor, clock: clock)
        var state = AppState(session: session, size: terminal.size, now: clock(), eventsPath: LogFollower.absolute(eventsPath))
        state.transactions.pageSize = max(1, state.bodyHeight - 2)
        // A database this user may only read (roles.md: support): no follower (it writes); the
        // follower of whoever writes it is shown from the database.
        if database.isReadOnly {
            if let stored = try? Self.storedSnapshot(database: database, path: LogFollower.absolute(eventsPath)) { mailbox.post(.followerChanged(stored)) }
        } else {
            startFollower(mailbox: mailbox, stop: stop)
        }
        startChangeWatcher(mailbox: mailbox, stop: stop, showsStoredFollower: database.isReadOnly)

        var pending = state.startEffects()
        var lastTick = clock()
        terminal.draw(terminal.asciiOnly ? state.renderASCII() : state.render())
        var drawn = state
        var forceDraw = false
        while state.isRunning && !shouldEnd() {
            for effect in pending {
                switch effect {
                case .copy(let text): terminal.copyToClipboard(text)
                case .repaint:
                    terminal.invalidate()
                    forceDraw = true
                case .quit: state.isRunning = false
                default: runner.perform(effect)
                }
            }
            pending = []
            if !state.isRunning { break }
            if state != drawn || forceDraw {
                terminal.draw(terminal.asciiOnly ? state.renderASCII() : state.render())
                drawn = state
                forceDraw = false
            }
            var fds = [pollfd(fd: terminal.inputDescriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: mailbox.readFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 1000)
            // The terminal is gone (its pty closed — an SSH connection dropped — with no SIGHUP
            // reaching us, e.g. started under setsid): end, instead of polling a dead
            // descriptor in a tight loop forever.
            if terminal.hasHungUp(revents: fds[0].revents) { break }
            var actions: [Action] = []
            for input in terminal.readInput() {
                switch input {
                case .key(let key): actions.append(.key(key))
                case .resize:
                    terminal.invalidate()
                    forceDraw = true
                    actions.append(.resized(terminal.size))
                }
            }
            if Self.interruptRequested.pointee != 0 {
                Self.interruptRequested.pointee = 0
                actions.append(.key(.ctrl("c")))
            }
            actions += mailbox.drain()
            let now = clock()
            if now.millisecondsSince1970 - lastTick.millisecondsSince1970 >= 1000 {
                lastTick = now
                actions.append(.clockTicked(now))
            }
            for action in actions { pending += state.reduce(action) }
            pending = Self.deduplicated(pending)
        }
    }

    static func deduplicated(_ effects: [Effect]) -> [Effect] {
        var out: [Effect] = []
        for effect in effects where !out.contains(effect) { out.append(effect) }
        return out
    }

    /// The same follower as `ingest --follow`, on its own thread: new lines reach the screen
    /// within milliseconds (inotify). What it posts is what it committed: the transactions each
    /// batch touched, and its snapshot — nothing is read back from the database for either.
    private func startFollower(mailbox: Mailbox, stop: StopFlag) {
        let database = self.database
        let path = eventsPath
        let thread = Thread {
            let follower = LogFollower(path: path, writer: IngestWriter(database: database), batchLines: 5_000)
            do {
                try follower.follow(shouldStop: { stop.isSet }, onBatch: { summary in
                    mailbox.post(.dataChanged(.ours(touched: summary.touched)))
                }, onStatus: { snapshot in
                    mailbox.post(.followerChanged(snapshot))
                })
            } catch {
                var snapshot = follower.status
                snapshot.phase = .failed("\(error)")
                mailbox.post(.followerChanged(snapshot))
            }
        }
        thread.name = "follower"
        thread.start()
    }

    /// Commits by other processes (another console, `ingest --follow`, `serve`) through `PRAGMA
    /// data_version`. A console with no follower of its own (read-only) shows the follower of
    /// whoever writes the database, read after each of their commits.
    private func startChangeWatcher(mailbox: Mailbox, stop: StopFlag, showsStoredFollower: Bool) {
        let database = self.database
        let path = LogFollower.absolute(eventsPath)
        // Read-only too: the pool's writer connection is then opened read-only, and every
        // commit it counts is another process's (seen in tmux by a user who may only read).
        let counter: @Sendable () throws -> Int64 = { try database.dataVersion() }
        let thread = Thread {
            var last = (try? counter()) ?? 0
            var lastStored: FollowerSnapshot?
            var lastService: ServiceState?
            var polls = 0
            while !stop.isSet {
                usleep(150_000)
                // serve's state file, about once a second (it beats every 2 s).
                polls += 1
                if polls % 7 == 1 {
                    let service = ServiceStateFile.read(forDatabase: database.path)
                    if service != lastService || polls == 1 {
                        lastService = service
                        mailbox.post(.serviceStateRead(service))
                    }
                }
                guard let version = try? counter(), version != last else { continue }
                last = version
                mailbox.post(.dataChanged(.foreign))
                if showsStoredFollower, let stored = try? Self.storedSnapshot(database: database, path: path), stored != lastStored {
                    lastStored = stored
                    mailbox.post(.followerChanged(stored))
                }
            }
        }
        thread.name = "change-watcher"
        thread.start()
    }

    /// The follower of whoever writes the database, as they last committed it.
    static func storedSnapshot(database: AppDatabase, path: String) throws -> FollowerSnapshot {
        let (position, notices) = try database.followerState(path: path)
        var snapshot = FollowerSnapshot(path: path, phase: FileManager.default.fileExists(atPath: path) ? .following : .waitingForLog)
        snapshot.position = position
        snapshot.notices = notices
        return snapshot
    }
}
