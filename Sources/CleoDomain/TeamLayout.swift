/// The operating system's half of roles.md ("Running it for a team"): which user and groups must
/// exist, and the owner, group, mode and access list each file of the layout must have. `check`
/// turns a description of the real files into findings, each with the commands that fix it.
/// Pure: the doctor command's edge stats the files and reads the user and group databases.
public enum TeamLayout {
    /// The names of the layout (defaults `cleo`, `cleo-ops`, `cleo-support`).
    public struct Names: Sendable, Equatable {
        public var service: String
        public var writers: String
        public var readers: String

        public init(service: String = "cleo", writers: String = "cleo-ops", readers: String = "cleo-support") {
            self.service = service
            self.writers = writers
            self.readers = readers
        }

        /// What `useradd`/`groupadd` accept everywhere: `[a-z_][a-z0-9_-]*`, at most 32 bytes.
        public static func isPortable(_ name: String) -> Bool {
            let bytes = Array(name.utf8)
            guard let first = bytes.first, bytes.count <= 32, first == UInt8(ascii: "_") || (0x61...0x7A).contains(first) else { return false }
            return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        }
    }

    /// The accounts as the host has them.
    public struct Accounts: Sendable, Equatable {
        /// Which of the layout's groups exist.
        public var existingGroups: Set<String>
        /// The service user's groups (primary and supplementary), or nil when it does not exist.
        public var serviceUserGroups: Set<String>?

        public init(existingGroups: Set<String>, serviceUserGroups: Set<String>?) {
            self.existingGroups = existingGroups
            self.serviceUserGroups = serviceUserGroups
        }
    }

    /// Read, write, search bits (4, 2, 1), as in a mode's triplets and an access list's entries.
    public typealias Bits = UInt32

    /// An access list's extra entries (POSIX ACL beyond owner, group, others).
    public struct AccessList: Sendable, Equatable {
        public enum Who: Sendable, Hashable {
            case user(String), group(String)
            var setfaclName: String {
                switch self {
                case .user(let name): "u:" + name
                case .group(let name): "g:" + name
                }
            }
        }

        /// The owning group's own entry (the mode's group bits then show the mask).
        public var owningGroup: Bits
        public var named: [(who: Who, bits: Bits)]

        public init(owningGroup: Bits, named: [(who: Who, bits: Bits)]) {
            self.owningGroup = owningGroup
            self.named = named
        }

        public static func == (a: AccessList, b: AccessList) -> Bool {
            a.owningGroup == b.owningGroup && a.named.map(\.who) == b.named.map(\.who) && a.named.map(\.bits) == b.named.map(\.bits)
        }
    }

    /// One path as `lstat` saw it.
    public enum Kind: Sendable, Equatable {
        case missing
        case directory
        case regular
        case symbolicLink(target: String)
        /// A FIFO, socket or device.
        case other(String)
        /// lstat failed for another reason than absence (a folder on the way the checker may not search).
        case unreadable(String)
    }

    public struct FileFacts: Sendable, Equatable {
        public var kind: Kind
        public var owner: String
        public var group: String
        /// Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`).
        public var mode: UInt32
        public var accessList: AccessList?
        /// A folder's default access list (`system.posix_acl_default`: what every file made in it
        /// inherits), or nil when it has none.
        public var defaultAccessList: AccessList?
        /// Why an access list could not be read (not "none"): the point is then not checked.
        public var accessListError: String?

        public init(kind: Kind, owner: String = "", group: String = "", mode: UInt32 = 0, accessList: AccessList? = nil,
                    defaultAccessList: AccessList? = nil, accessListError: String? = nil) {
            self.kind = kind
            self.owner = owner
            self.group = group
            self.mode = mode
            self.accessList = accessList
            self.defaultAccessList = defaultAccessList
            self.accessListError = accessListError
        }

        public static let missing = FileFacts(kind: .missing)
    }

    /// Each point of the layout, in the order they are checked and fixed.
    public enum Point: String, Sendable, CaseIterable {
        case databaseFolder = "database folder"
        case database
        case wal = "database's -wal"
        case shm = "database's -shm"
        case lock = "database's lock file"
        case keyFile = "key file"
        case eventsFolder = "events log folder"
        case eventsLog = "events log"

        var isFolder: Bool { self == .databaseFolder || self == .eventsFolder }

        /// A point that may be absent (serve creates the log at its first delivery, 0640 in a setgid folder).
        var isOptional: Bool { self == .eventsLog }

        /// The mode it must have: writers write the database, read the key and the log; nobody else
        /// but the readers (by their access-list entry) reads anything. Folders are setgid so what
        /// is created in them keeps the writers' group.
        var mode: UInt32 {
            switch self {
            case .databaseFolder: 0o2770
            case .database, .wal, .shm, .lock: 0o660
            case .keyFile, .eventsLog: 0o640
            case .eventsFolder: 0o2750
            }
        }

        /// What the readers' group gets by its access-list entry (nil: no entry at all).
        var readersBits: Bits? {
            switch self {
            case .databaseFolder: 5
            case .database, .wal, .shm: 4
            default: nil
            }
        }
    }

    /// The paths of one layout.
    public struct Paths: Sendable, Equatable {
        public var database: String
        public var keyFile: String
        public var eventsLog: String

        public init(database: String, keyFile: String, eventsLog: String) {
            self.database = database
            self.keyFile = keyFile
            self.eventsLog = eventsLog
        }

        public func path(of point: Point) -> String {
            switch point {
            case .databaseFolder: folder(of: database)
            case .database: database
            case .wal: database + "-wal"
            case .shm: database + "-shm"
            case .lock: database + ".lock"
            case .keyFile: keyFile
            case .eventsFolder: folder(of: eventsLog)
            case .eventsLog: eventsLog
            }
        }

        /// serve's state file beside the database (`ServiceStateFile`).
        public var serveState: String { database + ".serve-state" }

        /// The folders above the layout's folders (each must let the users through).
        public var ancestors: [String] {
            var seen: [String] = []
            for start in [folder(of: database), folder(of: keyFile), folder(of: eventsLog)] {
                var path = start
                while path != "/" && !path.isEmpty {
                    path = folder(of: path)
                    if !seen.contains(path) { seen.append(path) }
                }
            }
            return seen.filter { $0 != folder(of: database) && $0 != folder(of: eventsLog) }
        }
    }

    /// One problem: what is wrong, said plainly, and the commands (for root) that fix it.
    public struct Finding: Sendable, Equatable {
        public var subject: String
        public var problem: String
        public var fix: [String]

        public init(subject: String, problem: String, fix: [String]) {
            self.subject = subject
            self.problem = problem
            self.fix = fix
        }
    }

    /// One point that holds, for the report.
    public struct Report: Sendable, Equatable {
        public var holding: [String]
        public var findings: [Finding]
        /// Points that could not be looked at (lstat refused): not a pass.
        public var unchecked: [String]
        /// What is not there yet and is no problem yet (the key file before the first key).
        public var notes: [String] = []
    }

    /// Every point of the layout against the facts. `facts` has an entry for every point and
    /// every ancestor path (a missing entry is taken as a missing file).
    public static func check(names: Names, paths: Paths, accounts: Accounts, facts: [String: FileFacts], binary: String = "cleo-console") -> Report {
        var report = Report(holding: [], findings: [], unchecked: [])
        accountFindings(names: names, paths: paths, accounts: accounts, into: &report)
        // Top down: once a folder is root's and shut, nobody but root can swap the one below it
        // before its own fix runs.
        for ancestor in paths.ancestors.sorted(by: { $0.split(separator: "/").count < $1.split(separator: "/").count }) {
            ancestorFindings(ancestor, names: names, facts: facts[ancestor] ?? .missing, into: &report)
        }
        for point in Point.allCases {
            let path = paths.path(of: point)
            // One folder for both: the database folder's rules hold for it (the log stays 0640).
            if point == .eventsFolder && path == paths.path(of: .databaseFolder) { continue }
            // A missing database's creation makes (and sets) its -wal, -shm and lock too.
            if [.wal, .shm, .lock].contains(point), (facts[paths.database] ?? .missing).kind == .missing, (facts[path] ?? .missing).kind == .missing { continue }
            pointFindings(point, path: path, facts: facts[path] ?? .missing, names: names, paths: paths, binary: binary, into: &report)
        }
        serveStateNotes(path: paths.serveState, facts: facts[paths.serveState] ?? .missing, names: names, into: &report)
        return report
    }

    /// serve's state file is serve's own: it replaces it every 2 s with the database's read access,
    /// so a fix by hand would not last a beat. Whether support can read it is said, never a finding.
    static func serveStateNotes(path: String, facts: FileFacts, names: Names, into report: inout Report) {
        let subject = "serve's state file \(path)"
        switch facts.kind {
        case .missing, .unreadable: return
        case .regular:
            let entry = facts.accessList?.named.first { $0.who == .group(names.readers) }?.bits ?? 0
            if entry & 4 != 0 && facts.mode & 0o040 != 0 {
                report.holding.append("\(subject): the database's read access (\(names.readers) r--)")
            } else {
                report.notes.append("\(subject): the readers' group \(names.readers) cannot read it yet, so support's console does not show serve:"
                                    + " a running serve gives it the database's read access at its next beat, every 2 s (a serve older than this cleo-console never does: restart it)")
            }
        default:
            report.notes.append("\(subject) is not a regular file: serve replaces it at its next beat")
        }
    }

    static func accountFindings(names: Names, paths: Paths, accounts: Accounts, into report: inout Report) {
        for group in [names.writers, names.readers] {
            if accounts.existingGroups.contains(group) {
                report.holding.append("group \(group) exists")
            } else {
                report.findings.append(Finding(subject: "group \(group)", problem: "does not exist", fix: [ShellWord.command(["groupadd", group])]))
            }
        }
        guard let groups = accounts.serviceUserGroups else {
            report.findings.append(Finding(
                subject: "service user \(names.service)", problem: "does not exist",
                fix: [ShellWord.command(["useradd", "--system", "--home-dir", folder(of: paths.database), "--shell", "/usr/sbin/nologin",
                                         "--groups", names.writers, names.service])]))
            return
        }
        if groups.contains(names.writers) {
            report.holding.append("service user \(names.service) is in \(names.writers)")
        } else {
            report.findings.append(Finding(subject: "service user \(names.service)", problem: "is not in the group \(names.writers): it could not write the database",
                                           fix: [ShellWord.command(["usermod", "-aG", names.writers, names.service])]))
        }
        if groups.contains(names.readers) {
            report.findings.append(Finding(subject: "service user \(names.service)", problem: "is in the readers' group \(names.readers) (it needs no more than \(names.writers))",
                                           fix: [ShellWord.command(["gpasswd", "-d", names.service, names.readers])]))
        }
    }

    /// A folder above the layout: others must be able to pass through it (support and ops are
    /// "others" there), and nobody else may replace what is in it.
    static func ancestorFindings(_ path: String, names: Names, facts: FileFacts, into report: inout Report) {
        let subject = "folder \(path)"
        switch facts.kind {
        case .directory: break
        case .unreadable(let reason):
            report.unchecked.append("\(subject): \(reason)")
            return
        default:
            return  // a missing ancestor: the layout's own folder is then missing too, and its fix creates it
        }
        if facts.owner != "root" && facts.owner != names.service {
            report.findings.append(Finding(subject: subject, problem: "is owned by \(facts.owner): that user could replace the files below it",
                                           fix: [ShellWord.command(["chown", "root", "--", path])]))
        }
        if facts.group != "root" && facts.mode & 0o020 != 0 && facts.mode & 0o1000 == 0 {
            report.findings.append(Finding(subject: subject, problem: "is writable by the group \(facts.group) (mode \(octal(facts.mode))): its members could replace the files below it",
                                           fix: [ShellWord.command(["chmod", "g-w", "--", path])]))
        }
        if facts.mode & 0o001 == 0 {
            report.findings.append(Finding(subject: subject, problem: "cannot be passed through by the team's users (mode \(octal(facts.mode)))",
                                           fix: [ShellWord.command(["chmod", "o+x", "--", path])]))
        }
        if facts.mode & 0o002 != 0 && facts.mode & 0o1000 == 0 {
            report.findings.append(Finding(subject: subject, problem: "is writable by every user of this host (mode \(octal(facts.mode))): anyone could replace the files below it",
                                           fix: [ShellWord.command(["chmod", "o-w", "--", path])]))
        }
    }

    static func pointFindings(_ point: Point, path: String, facts: FileFacts, names: Names, paths: Paths, binary: String, into report: inout Report) {
        let subject = "\(point.rawValue) \(path)"
        let owner = names.service + ":" + names.writers
        let wanted = "\(owner) \(octal(point.mode))" + (point.readersBits.map { ", \(names.readers) " + rwx($0) } ?? "")
        switch facts.kind {
        case .unreadable(let reason):
            report.unchecked.append("\(subject): \(reason)")
            return
        case .missing:
            if point.isOptional { return }
            if point == .keyFile {
                // No command makes a key file without a key: the first key set makes it, owner-only,
                // as whoever set it; doctor then gives the owner and mode.
                report.notes.append("\(subject) does not exist yet: the first key set creates it (0600, as its setter); run doctor after it")
                return
            }
            report.findings.append(Finding(subject: subject, problem: "does not exist (wants \(wanted))",
                                           fix: creation(point, path: path, names: names, paths: paths, binary: binary)))
            return
        case .symbolicLink(let target):
            // Whoever may change the link chooses the file: never copy it (root would paste whatever
            // file a writer named, /etc/shadow included). The link goes aside, the point is made anew.
            report.findings.append(Finding(
                subject: subject, problem: "is a symbolic link (to \(target)): whoever can change the link chooses the file; the link is moved aside and the point made anew"
                    + " (its target is never copied: look at it yourself before taking anything from it)",
                fix: [ShellWord.command(["mv", "-T", "-n", "--", path, path + ".aside"])] + creation(point, path: path, names: names, paths: paths, binary: binary)))
            return
        case .other(let what):
            report.findings.append(Finding(subject: subject, problem: "is a \(what), not a \(point.isFolder ? "folder" : "regular file")",
                                           fix: [ShellWord.command(["rm", "--", path])] + creation(point, path: path, names: names, paths: paths, binary: binary)))
            return
        case .directory where !point.isFolder, .regular where point.isFolder:
            report.findings.append(Finding(subject: subject, problem: "is a \(point.isFolder ? "file" : "folder"), not a \(point.isFolder ? "folder" : "regular file")",
                                           fix: [ShellWord.command(["mv", "-T", "-n", "--", path, path + ".aside"])] + creation(point, path: path, names: names, paths: paths, binary: binary)))
            return
        case .directory, .regular:
            break
        }
        if let error = facts.accessListError {
            report.unchecked.append("\(subject): its access list could not be read: \(error)")
            return
        }
        var problems: [String] = []
        var fix: [String] = []
        if facts.owner != names.service || facts.group != names.writers {
            problems.append("owned by \(facts.owner):\(facts.group), wants \(owner)")
            fix.append(chown(owner, path))
        }
        var accessFixes: [String] = []
        let acl = facts.accessList
        let owningGroupBits = (point.mode >> 3) & 7
        if let acl {
            if point.readersBits == nil {
                let named = acl.named.map { "\($0.who.setfaclName):\(rwx($0.bits))" }
                if !named.isEmpty {
                    problems.append("its access list also lets \(named.joined(separator: ", ")) in")
                }
                accessFixes.append(setfacl(["-b"], path, names: names))
            } else {
                if acl.owningGroup != owningGroupBits {
                    problems.append("its access list gives the owning group \(rwx(acl.owningGroup)), wants \(rwx(owningGroupBits))")
                    accessFixes.append(setfacl(["-m", "g::" + rwx(owningGroupBits)], path, names: names))
                }
                for entry in acl.named where entry.who != .group(names.readers) {
                    problems.append("its access list also lets \(entry.who.setfaclName):\(rwx(entry.bits)) in")
                    accessFixes.append(setfacl(["-x", entry.who.setfaclName], path, names: names))
                }
            }
        }
        if let readers = point.readersBits {
            let have = acl?.named.first { $0.who == .group(names.readers) }?.bits
            if have != readers {
                problems.append(have.map { "the readers' group \(names.readers) gets \(rwx($0)), wants \(rwx(readers))" }
                                ?? "the readers' group \(names.readers) cannot \(point.isFolder ? "open it" : "read it") (no access-list entry)")
                accessFixes.append(setfacl(["-m", "g:\(names.readers):" + rwx(readers)], path, names: names))
            }
        }
        // An inherited entry reaches every new -wal, -shm and log: the layout's folders have none.
        if point.isFolder, let inherited = facts.defaultAccessList {
            let entries = ["g::" + rwx(inherited.owningGroup)] + inherited.named.map { "\($0.who.setfaclName):\(rwx($0.bits))" }
            problems.append("its default access list (what every file made in it inherits) gives \(entries.joined(separator: ", ")), wants none")
            accessFixes.append(setfacl(["-k"], path, names: names))
        }
        fix += accessFixes
        if facts.mode != point.mode {
            problems.append("mode \(octal(facts.mode)), wants \(octal(point.mode))" + (facts.mode & 0o007 != 0 ? ": every user of this host may \(others(facts.mode)) it" : ""))
        }
        // setfacl recomputes the mask (the mode's group bits): the mode is set after it.
        if facts.mode != point.mode || !accessFixes.isEmpty {
            fix.append(chmod(point, path, names: names))
        }
        if problems.isEmpty {
            report.holding.append("\(subject): \(wanted)")
        } else {
            report.findings.append(Finding(subject: subject, problem: problems.joined(separator: "; "), fix: fix))
        }
    }

    /// The commands that make a missing point, and set it as wanted.
    static func creation(_ point: Point, path: String, names: Names, paths: Paths, binary: String) -> [String] {
        switch point {
        case .databaseFolder, .eventsFolder:
            // mkdir fails on anything already there (a link included); shut until its settings.
            return [ShellWord.command(["mkdir", "-m", "0700", "--", path])] + settings(point, path: path, names: names)
        case .database:
            // The service user creates it (its creator is admin), with its -wal and -shm kept.
            return [ShellWord.command(["runuser", "-u", names.service, "--", binary, "config", "show",
                                       "--db", paths.database, "--key-file", paths.keyFile, "--events", paths.eventsLog]) + " >/dev/null"]
                + [Point.database, .wal, .shm, .lock].flatMap { settings($0, path: paths.path(of: $0), names: names) }
        case .wal, .shm:
            // A writer's open makes them, and they are kept after it (the readers need them to read).
            return [ShellWord.command(["runuser", "-u", names.service, "--", binary, "ingest",
                                       "--db", paths.database, "--key-file", paths.keyFile, "--events", paths.eventsLog]) + " >/dev/null"]
                + settings(point, path: path, names: names)
        case .keyFile:
            return []  // the first key set makes it (no command makes one without a key)
        case .lock, .eventsLog:
            // Made by the service user (in its group): no link makes it touch root's files.
            return [ShellWord.command(["runuser", "-u", names.service, "--", "install", "-g", names.writers, "-m", octal(point.mode), "/dev/null", path])]
        }
    }

    /// The commands that give an existing point its owner, access list and mode.
    static func settings(_ point: Point, path: String, names: Names) -> [String] {
        [chown(names.service + ":" + names.writers, path)]
            + (point.readersBits.map { [setfacl(["-m", "g:\(names.readers):" + rwx($0)], path, names: names)] } ?? [])
            + [chmod(point, path, names: names)]
    }

    // The points sit in folders the writers may change: between the report and root's paste a
    // writer may swap a file for a link to /etc/shadow. So no fix follows a link as root:
    // `chown -h` changes the link itself; setfacl and chmod (which follows a link on Linux, no
    // option refuses one) run as the service user, who owns the point after the chown and cannot
    // change a file it does not own; `setfacl -P` skips a link besides.
    static func chown(_ owner: String, _ path: String) -> String {
        ShellWord.command(["chown", "-h", owner, "--", path])
    }

    static func setfacl(_ arguments: [String], _ path: String, names: Names) -> String {
        ShellWord.command(["runuser", "-u", names.service, "--", "setfacl", "-P"] + arguments + ["--", path])
    }

    static func chmod(_ point: Point, _ path: String, names: Names) -> String {
        ShellWord.command(["runuser", "-u", names.service, "--", "chmod", chmodMode(point), "--", path])
    }

    /// GNU chmod keeps a folder's setuid and setgid bits for a 4-digit mode: 5 digits set them exactly.
    static func chmodMode(_ point: Point) -> String {
        (point.isFolder ? "0" : "") + octal(point.mode)
    }

    /// The warning the console prints when it opens a database or key file open to every user of
    /// the host (roles.md); `doctor` prints the same.
    public static func exposureWarning(what: String, path: String, mode: UInt32) -> String? {
        guard mode & 0o006 != 0 else { return nil }
        return "warning: the \(what) \(path) is open to every user of this host (mode \(String(mode & 0o777, radix: 8))): chmod o-rwx \(ShellWord.quoted(path))"
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func rwx(_ bits: Bits) -> String {
        (bits & 4 != 0 ? "r" : "-") + (bits & 2 != 0 ? "w" : "-") + (bits & 1 != 0 ? "x" : "-")
    }

    static func others(_ mode: UInt32) -> String {
        [(4, "read"), (2, "write"), (1, "enter")].filter { mode & UInt32($0.0) != 0 }.map(\.1).joined(separator: " and ")
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }
}
