import CleoDomain
import Testing

/// roles.md "Running it for a team": the doctor's checks on descriptions of files.
@Suite struct TeamLayoutTests {
    typealias Facts = TeamLayout.FileFacts
    let names = TeamLayout.Names()
    let paths = TeamLayout.Paths(database: "/srv/cleo/data/console.db", keyFile: "/srv/cleo/data/console.key", eventsLog: "/srv/cleo/log/webhook-events.jsonl")
    let accounts = TeamLayout.Accounts(existingGroups: ["cleo-ops", "cleo-support"], serviceUserGroups: ["cleo", "cleo-ops"])

    static func readers(_ bits: UInt32) -> TeamLayout.AccessList {
        TeamLayout.AccessList(owningGroup: 6, named: [(.group("cleo-support"), bits)])
    }

    /// The README's layout, as lstat and the access lists show it.
    var right: [String: Facts] {
        let folderACL = TeamLayout.AccessList(owningGroup: 7, named: [(.group("cleo-support"), 5)])
        var facts: [String: Facts] = [
            "/": Facts(kind: .directory, owner: "root", group: "root", mode: 0o755),
            "/srv": Facts(kind: .directory, owner: "root", group: "root", mode: 0o755),
            "/srv/cleo": Facts(kind: .directory, owner: "root", group: "root", mode: 0o755),
            "/srv/cleo/data": Facts(kind: .directory, owner: "cleo", group: "cleo-ops", mode: 0o2770, accessList: folderACL),
            "/srv/cleo/data/console.key": Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640),
            "/srv/cleo/data/console.db.lock": Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o660),
            "/srv/cleo/log": Facts(kind: .directory, owner: "cleo", group: "cleo-ops", mode: 0o2750),
        ]
        for suffix in ["", "-wal", "-shm"] {
            facts["/srv/cleo/data/console.db" + suffix] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o660, accessList: Self.readers(4))
        }
        return facts
    }

    func check(_ facts: [String: Facts], accounts: TeamLayout.Accounts? = nil) -> TeamLayout.Report {
        TeamLayout.check(names: names, paths: paths, accounts: accounts ?? self.accounts, facts: facts)
    }

    func only(_ report: TeamLayout.Report, sourceLocation: SourceLocation = #_sourceLocation) -> TeamLayout.Finding? {
        #expect(report.findings.count == 1, "\(report.findings)", sourceLocation: sourceLocation)
        return report.findings.first
    }

    @Test func theREADMELayoutHoldsEveryPoint() {
        let report = check(right)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.unchecked.isEmpty)
        #expect(report.holding.count == 3 + 8 - 1, "\(report.holding)")  // two groups, the user; every point but the absent log
        var withLog = right
        withLog[paths.eventsLog] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640)
        #expect(check(withLog).findings.isEmpty)
    }

    /// serve rewrites its state file every 2 s: whether support may read it is said (ok or a
    /// note), never a problem that a fix by hand would undo a beat later.
    @Test func serveStateFileIsANoteNeverAFinding() {
        var facts = right
        let state = paths.serveState
        facts[state] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640, accessList: TeamLayout.AccessList(owningGroup: 4, named: [(.group("cleo-support"), 4)]))
        var report = check(facts)
        #expect(report.findings.isEmpty && report.notes.isEmpty, "\(report)")
        #expect(report.holding.contains("serve's state file \(state): the database's read access (cleo-support r--)"), "\(report.holding)")
        facts[state] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640)
        report = check(facts)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.notes.contains { $0.hasPrefix("serve's state file \(state): the readers' group cleo-support cannot read it") }, "\(report.notes)")
    }

    @Test func aKeyFileReadableByOthersIsAFindingAndAWarning() {
        var facts = right
        facts[paths.keyFile]!.mode = 0o644
        let finding = only(check(facts))
        #expect(finding?.subject == "key file /srv/cleo/data/console.key")
        #expect(finding?.problem.contains("every user of this host may read it") == true, "\(finding?.problem ?? "")")
        #expect(finding?.fix == ["runuser -u cleo -- chmod 0640 -- /srv/cleo/data/console.key"])
        #expect(TeamLayout.exposureWarning(what: "key file", path: paths.keyFile, mode: 0o644)?.hasSuffix("chmod o-rwx /srv/cleo/data/console.key") == true)
        #expect(TeamLayout.exposureWarning(what: "key file", path: paths.keyFile, mode: 0o640) == nil)
        #expect(TeamLayout.exposureWarning(what: "database", path: paths.database, mode: 0o662) != nil)
    }

    @Test func aKeyFileTheReadersMayReadByAnAccessListLosesTheWholeList() {
        var facts = right
        facts[paths.keyFile]!.accessList = Self.readers(4)
        let finding = only(check(facts))
        #expect(finding?.problem.contains("g:cleo-support:r--") == true, "\(finding?.problem ?? "")")
        #expect(finding?.fix == ["runuser -u cleo -- setfacl -P -b -- /srv/cleo/data/console.key", "runuser -u cleo -- chmod 0640 -- /srv/cleo/data/console.key"])
    }

    @Test func ownerGroupAndModeEachNamedWithTheirCommandChownFirst() {
        var facts = right
        facts[paths.keyFile]!.group = "staff"
        facts[paths.keyFile]!.mode = 0o600
        let finding = only(check(facts))
        #expect(finding?.problem.contains("owned by cleo:staff, wants cleo:cleo-ops") == true)
        #expect(finding?.fix == ["chown -h cleo:cleo-ops -- /srv/cleo/data/console.key", "runuser -u cleo -- chmod 0640 -- /srv/cleo/data/console.key"])
    }

    @Test func theDatabaseNeedsTheReadersEntryAndTheWritersWrite() {
        var facts = right
        facts[paths.database]!.accessList = nil
        facts[paths.database]!.mode = 0o640
        let finding = only(check(facts))
        #expect(finding?.problem.contains("cleo-support cannot read it") == true, "\(finding?.problem ?? "")")
        #expect(finding?.fix == ["runuser -u cleo -- setfacl -P -m g:cleo-support:r-- -- /srv/cleo/data/console.db", "runuser -u cleo -- chmod 0660 -- /srv/cleo/data/console.db"])
        // A readers' entry that may write, an entry for someone else, an owning group that may not write.
        facts[paths.database] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o660,
                                      accessList: TeamLayout.AccessList(owningGroup: 4, named: [(.group("cleo-support"), 6), (.user("mallory"), 6)]))
        let other = only(check(facts))
        #expect(other?.fix == ["runuser -u cleo -- setfacl -P -m g::rw- -- /srv/cleo/data/console.db", "runuser -u cleo -- setfacl -P -x u:mallory -- /srv/cleo/data/console.db",
                               "runuser -u cleo -- setfacl -P -m g:cleo-support:r-- -- /srv/cleo/data/console.db", "runuser -u cleo -- chmod 0660 -- /srv/cleo/data/console.db"])
    }

    @Test func theFoldersAreSetgidAndTheLogFolderClosedToOthers() {
        var facts = right
        facts["/srv/cleo/data"]!.mode = 0o6770  // setuid too: a 4-digit chmod would keep it
        facts["/srv/cleo/log"]!.mode = 0o755
        let report = check(facts)
        #expect(report.findings.map(\.fix) == [["runuser -u cleo -- chmod 02770 -- /srv/cleo/data"], ["runuser -u cleo -- chmod 02750 -- /srv/cleo/log"]])
    }

    @Test func missingGroupsAndServiceUserAreCreatedFirst() {
        let none = check(right, accounts: TeamLayout.Accounts(existingGroups: ["cleo-ops"], serviceUserGroups: nil))
        #expect(none.findings.map(\.fix) == [
            ["groupadd cleo-support"],
            ["useradd --system --home-dir /srv/cleo/data --shell /usr/sbin/nologin --groups cleo-ops cleo"],
        ])
        let outside = check(right, accounts: TeamLayout.Accounts(existingGroups: ["cleo-ops", "cleo-support"], serviceUserGroups: ["cleo", "cleo-support"]))
        #expect(outside.findings.map(\.fix) == [["usermod -aG cleo-ops cleo"], ["gpasswd -d cleo cleo-support"]])
    }

    /// A link's target is never copied (a writer could name /etc/shadow): the link goes aside and
    /// the point is made as if missing; the target is named so a person can decide.
    @Test func aSymlinkedPointIsMovedAsideAndMadeAnewNeverCopied() {
        var facts = right
        facts[paths.keyFile] = Facts(kind: .symbolicLink(target: "/home/jorge/my.key"), owner: "jorge", group: "jorge", mode: 0o777)
        let finding = only(check(facts))
        #expect(finding?.problem.contains("symbolic link (to /home/jorge/my.key)") == true)
        #expect(finding?.fix == ["mv -T -n -- /srv/cleo/data/console.key /srv/cleo/data/console.key.aside"])
        facts = right
        facts[paths.database + "-wal"] = Facts(kind: .symbolicLink(target: "/etc/shadow"), owner: "jorge", group: "cleo-ops", mode: 0o777)
        let wal = only(check(facts))
        #expect(wal?.problem.contains("symbolic link (to /etc/shadow)") == true)
        #expect(wal?.fix == ["mv -T -n -- /srv/cleo/data/console.db-wal /srv/cleo/data/console.db-wal.aside",
                             "runuser -u cleo -- cleo-console ingest --db /srv/cleo/data/console.db --key-file /srv/cleo/data/console.key --events /srv/cleo/log/webhook-events.jsonl >/dev/null",
                             "chown -h cleo:cleo-ops -- /srv/cleo/data/console.db-wal",
                             "runuser -u cleo -- setfacl -P -m g:cleo-support:r-- -- /srv/cleo/data/console.db-wal",
                             "runuser -u cleo -- chmod 0660 -- /srv/cleo/data/console.db-wal"])
        #expect(wal?.fix.allSatisfy { !$0.contains("/etc/shadow") && !$0.hasPrefix("cp ") } == true)
    }

    /// No printed command follows a link as root: chown -h, setfacl and chmod as the service user.
    @Test func noFixFollowsALinkAsRoot() {
        var facts = right
        for point in TeamLayout.Point.allCases where point != .eventsLog { facts[paths.path(of: point)]!.owner = "root" }
        facts[paths.database]!.mode = 0o600
        facts[paths.keyFile]!.accessList = Self.readers(4)
        let commands = check(facts).findings.flatMap(\.fix)
        #expect(commands.count > 8, "\(commands)")
        for command in commands {
            let word = command.split(separator: " ").first ?? ""
            if word == "chown" { #expect(command.hasPrefix("chown -h "), "\(command)") }
            #expect(word != "chmod" && word != "setfacl", "run as root: \(command)")
            if command.contains(" setfacl ") { #expect(command.hasPrefix("runuser -u cleo -- setfacl -P "), "\(command)") }
        }
    }

    @Test func aMissingDatabaseIsCreatedByTheServiceUserWithItsCompanions() {
        var facts = right
        for suffix in ["", "-wal", "-shm", ".lock"] { facts[paths.database + suffix] = nil }
        let finding = only(check(facts))
        #expect(finding?.fix.first == "runuser -u cleo -- cleo-console config show --db /srv/cleo/data/console.db --key-file /srv/cleo/data/console.key --events /srv/cleo/log/webhook-events.jsonl >/dev/null")
        #expect(finding?.fix.contains("runuser -u cleo -- setfacl -P -m g:cleo-support:r-- -- /srv/cleo/data/console.db-shm") == true)
        #expect(finding?.fix.contains("runuser -u cleo -- chmod 0660 -- /srv/cleo/data/console.db.lock") == true)
        var noWAL = right
        noWAL[paths.database + "-wal"] = nil
        #expect(only(check(noWAL))?.fix.first?.contains("cleo-console ingest") == true)
    }

    @Test func foldersAboveMustLetTheUsersThroughAndNotLetOthersReplaceIt() {
        var facts = right
        facts["/srv/cleo"]!.mode = 0o700
        facts["/srv"]!.mode = 0o777
        // Top down: /srv first, so nobody but root can swap /srv/cleo before its fix.
        #expect(check(facts).findings.map(\.fix) == [["chmod o-w -- /srv"], ["chmod o+x -- /srv/cleo"]])
        facts["/srv"]!.mode = 0o1777  // sticky, like /tmp
        #expect(check(facts).findings.map(\.fix) == [["chmod o+x -- /srv/cleo"]])
    }

    @Test func aFolderAboveOwnedByAnotherUserOrWritableByAGroupIsAFinding() {
        var facts = right
        facts["/srv/cleo"] = Facts(kind: .directory, owner: "jorge", group: "jorge", mode: 0o775)
        let report = check(facts)
        #expect(report.findings.map(\.subject) == ["folder /srv/cleo", "folder /srv/cleo"], "\(report.findings)")
        #expect(report.findings.map(\.fix) == [["chown root -- /srv/cleo"], ["chmod g-w -- /srv/cleo"]])
        #expect(report.findings.first?.problem.contains("owned by jorge") == true)
        #expect(report.findings.last?.problem.contains("writable by the group jorge") == true)
        // The service user's own folder, root's group writing: both allowed.
        facts["/srv/cleo"] = Facts(kind: .directory, owner: "cleo", group: "root", mode: 0o775)
        #expect(check(facts).findings.isEmpty, "\(check(facts).findings)")
    }

    @Test func aDefaultAccessListOnALayoutFolderIsAFinding() {
        var facts = right
        facts["/srv/cleo/data"]!.defaultAccessList = TeamLayout.AccessList(owningGroup: 7, named: [(.user("mallory"), 6)])
        let finding = only(check(facts))
        #expect(finding?.problem.contains("default access list") == true && finding?.problem.contains("u:mallory:rw-") == true, "\(finding?.problem ?? "")")
        #expect(finding?.fix == ["runuser -u cleo -- setfacl -P -k -- /srv/cleo/data", "runuser -u cleo -- chmod 02770 -- /srv/cleo/data"])
    }

    @Test func anAccessListThatCannotBeReadLeavesThePointUnchecked() {
        var facts = right
        facts[paths.database]!.accessListError = "Numerical result out of range"
        let report = check(facts)
        #expect(report.findings.isEmpty)
        #expect(report.unchecked == ["database /srv/cleo/data/console.db: its access list could not be read: Numerical result out of range"])
        #expect(!report.holding.contains { $0.hasPrefix("database /") })
    }

    @Test func aPointThatCannotBeLookedAtIsNeitherAPassNorAFinding() {
        var facts = right
        facts[paths.keyFile] = Facts(kind: .unreadable("Permission denied"))
        let report = check(facts)
        #expect(report.findings.isEmpty)
        #expect(report.unchecked == ["key file /srv/cleo/data/console.key: Permission denied"])
    }

    @Test func aLogInTheDatabaseFolderIsCheckedByTheDatabaseFoldersRulesOnly() {
        let shared = TeamLayout.Paths(database: paths.database, keyFile: paths.keyFile, eventsLog: "/srv/cleo/data/webhook-events.jsonl")
        var facts = right
        facts[shared.eventsLog] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640)
        let report = TeamLayout.check(names: names, paths: shared, accounts: accounts, facts: facts)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(!report.holding.contains { $0.hasPrefix("events log folder") })
    }

    @Test func aKeyFileNotYetMadeIsANoteNotAProblem() {
        var facts = right
        facts[paths.keyFile] = nil
        let report = check(facts)
        #expect(report.findings.isEmpty)
        #expect(report.notes.count == 1 && report.notes[0].contains("the first key set creates it"))
    }

    @Test func aFIFOWhereTheKeyFileShouldBe() {
        var facts = right
        facts[paths.keyFile] = Facts(kind: .other("FIFO"), owner: "cleo", group: "cleo-ops", mode: 0o640)
        #expect(only(check(facts))?.fix.first == "rm -- /srv/cleo/data/console.key")
        facts[paths.keyFile] = nil
        facts["/srv/cleo/log"] = Facts(kind: .regular, owner: "cleo", group: "cleo-ops", mode: 0o640)
        #expect(only(check(facts))?.fix == ["mv -T -n -- /srv/cleo/log /srv/cleo/log.aside", "mkdir -m 0700 -- /srv/cleo/log",
                                            "chown -h cleo:cleo-ops -- /srv/cleo/log", "runuser -u cleo -- chmod 02750 -- /srv/cleo/log"])
    }

    @Test func hostilePathsAreQuotedExactlyAndPrintAsASCII() {
        #expect(ShellWord.quoted("/var/lib/cleo/console.db") == "/var/lib/cleo/console.db")
        #expect(ShellWord.quoted("/tmp/it's here") == "'/tmp/it'\\''s here'")
        #expect(ShellWord.quoted("") == "''")
        #expect(ShellWord.quoted("/tmp/\u{1B}[31mred\n") == "$'/tmp/\\x1b[31mred\\x0a'")
        #expect(ShellWord.quoted("/tmp/caf\u{E9}\u{202E}'\\") == "$'/tmp/caf\\xc3\\xa9\\xe2\\x80\\xae\\'\\\\'")
        let hostile = TeamLayout.Paths(database: "/tmp/x\u{1B}]0;pwned\u{07}/console.db", keyFile: "/tmp/x\u{1B}]0;pwned\u{07}/console.key", eventsLog: "/tmp/l/e.jsonl")
        let report = TeamLayout.check(names: names, paths: hostile, accounts: accounts, facts: [:])
        let commands = report.findings.flatMap(\.fix)
        #expect(!commands.isEmpty)
        #expect(commands.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }, "\(commands)")
        #expect(commands.contains("mkdir -m 0700 -- $'/tmp/x\\x1b]0;pwned\\x07'"), "\(commands)")
    }

    @Test func namesTheHostsToolsAccept() {
        #expect(TeamLayout.Names.isPortable("cleo-ops"))
        #expect(TeamLayout.Names.isPortable("_svc1"))
        for bad in ["", "Cleo", "-x", "a b", "ops;rm", "é", String(repeating: "a", count: 33)] { #expect(!TeamLayout.Names.isPortable(bad), "\(bad)") }
    }
}
