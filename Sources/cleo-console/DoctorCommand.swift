import ArgumentParser
import CleoDomain
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// `doctor`: the team layout of roles.md checked on the real files, and for each problem the
/// command that fixes it. The checks are `TeamLayout.check`; this is the edge that looks.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the team layout (users, groups, owners, modes, access lists) and print what fixes each problem.",
        discussion: """
            Exit status: 0 every point holds; 78 a problem was found (each is printed with the commands, for root, \
            that fix it, in the order to run them); 77 nothing wrong was seen but some point could not be looked at \
            (run doctor as root); 64 bad usage.
            """
    )
    @OptionGroup var location: Location
    @Option(help: "The user that runs serve.") var serviceUser = "cleo"
    @Option(help: "The writers' group: engineers, admins and the service user.") var opsGroup = "cleo-ops"
    @Option(help: "The readers' group: support.") var supportGroup = "cleo-support"

    func run() throws {
        try runReporting {
            for name in [serviceUser, opsGroup, supportGroup] where !TeamLayout.Names.isPortable(name) {
                throw Failure.usage("\(name) is not a user or group name this host's tools accept ([a-z_][a-z0-9_-]*, at most 32 characters)")
            }
            let names = TeamLayout.Names(service: serviceUser, writers: opsGroup, readers: supportGroup)
            let database = Self.absolute(location.databasePath)
            let paths = TeamLayout.Paths(database: database,
                                         keyFile: Self.absolute(location.keyFilePath ?? ((database as NSString).deletingLastPathComponent + "/console.key")),
                                         eventsLog: Self.absolute(location.eventsPath))
            var facts: [String: TeamLayout.FileFacts] = [:]
            for point in TeamLayout.Point.allCases { facts[paths.path(of: point)] = FileProbe.facts(paths.path(of: point), follow: false) }
            for ancestor in paths.ancestors { facts[ancestor] = FileProbe.facts(ancestor, follow: true) }
            facts[paths.serveState] = FileProbe.facts(paths.serveState, follow: false)
            let report = TeamLayout.check(names: names, paths: paths, accounts: FileProbe.accounts(names), facts: facts)
            for (what, point) in [("database", TeamLayout.Point.database), ("key file", .keyFile)] {
                let path = paths.path(of: point)
                if let file = facts[path], file.kind == .regular, let warning = TeamLayout.exposureWarning(what: what, path: path, mode: file.mode) {
                    printErr(warning)
                }
            }
            try Self.print(report, names: names)
            if !report.findings.isEmpty { throw ExitCode(78) }
            if !report.unchecked.isEmpty { throw ExitCode(77) }
        }
    }

    static func print(_ report: TeamLayout.Report, names: TeamLayout.Names) throws {
        try StandardOutput.write("the team layout of roles.md: service user \(names.service), writers \(names.writers), readers \(names.readers)")
        for line in report.holding { try StandardOutput.write("ok    " + TerminalText.sanitized(line)) }
        for line in report.notes { try StandardOutput.write("note  " + TerminalText.sanitized(line)) }
        for line in report.unchecked { try StandardOutput.write("??    " + TerminalText.sanitized(line) + " (not checked: run doctor as root)") }
        for finding in report.findings {
            try StandardOutput.write("FIX   " + TerminalText.sanitized(finding.subject + ": " + finding.problem))
            // The commands are ASCII already (ShellWord escapes every other byte); sanitised all the same.
            for command in finding.fix { try StandardOutput.write("      " + TerminalText.sanitized(command)) }
        }
        let count = report.findings.count
        if count > 0 {
            try StandardOutput.write("\(count) problem\(count == 1 ? "" : "s"): run the indented commands as root, in this order, then doctor again")
        } else if report.unchecked.isEmpty {
            try StandardOutput.write("every point holds")
        }
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// What the operating system says about a path, a user and some groups.
enum FileProbe {
    static func facts(_ path: String, follow: Bool) -> TeamLayout.FileFacts {
        var info = stat()
        if (follow ? stat(path, &info) : lstat(path, &info)) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return .missing }
            return TeamLayout.FileFacts(kind: .unreadable(String(cString: strerror(errno))))
        }
        let kind: TeamLayout.Kind
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regular
        case S_IFLNK: kind = .symbolicLink(target: linkTarget(path))
        case S_IFIFO: kind = .other("FIFO")
        case S_IFSOCK: kind = .other("socket")
        default: kind = .other("device")
        }
        var facts = TeamLayout.FileFacts(kind: kind, owner: userName(info.st_uid), group: groupName(info.st_gid), mode: UInt32(info.st_mode & 0o7777))
        guard kind == .directory || kind == .regular else { return facts }
        switch attribute(path, "system.posix_acl_access") {
        case .success(let bytes): facts.accessList = bytes.map(accessList).flatMap { $0.named.isEmpty ? nil : $0 }
        case .failure(let error): facts.accessListError = error.reason
        }
        if kind == .directory {
            switch attribute(path, "system.posix_acl_default") {
            case .success(let bytes): facts.defaultAccessList = bytes.map(accessList)
            case .failure(let error): facts.accessListError = error.reason
            }
        }
        return facts
    }

    struct AttributeError: Error { let reason: String }

    /// One extended attribute of the path itself (not a link's target), its size asked first;
    /// nil when there is none (ENODATA, or a file system without them). Any other failure is an
    /// error: the caller reports the point unchecked, never as holding.
    static func attribute(_ path: String, _ name: String) -> Result<[UInt8]?, AttributeError> {
        guard let read = lgetxattr else { return .failure(AttributeError(reason: "lgetxattr is not available")) }
        for _ in 0..<4 {  // the list may grow between the two calls: ask again (bounded)
            let size = read(path, name, nil, 0)
            if size < 0 { break }
            if size == 0 { return .success(nil) }
            var bytes = [UInt8](repeating: 0, count: size)
            let got = read(path, name, &bytes, bytes.count)
            if got >= 0 { return .success(Array(bytes.prefix(got))) }
            if errno != ERANGE { break }
        }
        if errno == ENODATA || errno == EOPNOTSUPP { return .success(nil) }
        return .failure(AttributeError(reason: String(cString: strerror(errno))))
    }

    static func linkTarget(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/") ? target : (path as NSString).deletingLastPathComponent + "/" + target
    }

    /// A POSIX access list's entries (a version-2 header, then tag u16, permissions u16, id u32
    /// per entry, little-endian).
    static func accessList(_ bytes: [UInt8]) -> TeamLayout.AccessList {
        let size = bytes.count
        func u16(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { u16(at) | u16(at + 2) << 16 }
        var owningGroup: UInt32 = 0
        var named: [(who: TeamLayout.AccessList.Who, bits: TeamLayout.Bits)] = []
        var offset = 4
        while offset + 8 <= size {
            let tag = u16(offset), bits = u16(offset + 2) & 7, id = u32(offset + 4)
            switch tag {
            // An id without a name stays a number: setfacl takes it as such.
            case 0x02: named.append((.user(getpwuid(id).map { String(cString: $0.pointee.pw_name) } ?? "\(id)"), bits))
            case 0x04: owningGroup = bits
            case 0x08: named.append((.group(getgrgid(id).map { String(cString: $0.pointee.gr_name) } ?? "\(id)"), bits))
            default: break  // owner, mask, others: the mode shows them
            }
            offset += 8
        }
        return TeamLayout.AccessList(owningGroup: owningGroup, named: named)
    }

    /// `lgetxattr(2)`: glibc has it, Swift's Glibc module does not (no sys/xattr.h).
    typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    nonisolated(unsafe) static let lgetxattr: GetXattr? = dlsym(nil, "lgetxattr").map { unsafeBitCast($0, to: GetXattr.self) }

    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "gid \(gid)" }
        return String(cString: name)
    }

    static func accounts(_ names: TeamLayout.Names) -> TeamLayout.Accounts {
        let wanted: [String] = [names.writers, names.readers]
        let groups = Set(wanted.filter { name in getgrnam(name) != nil })
        guard let user = getpwnam(names.service) else { return TeamLayout.Accounts(existingGroups: groups, serviceUserGroups: nil) }
        let primary = user.pointee.pw_gid
        var count: Int32 = 64
        var ids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(names.service, primary, &ids, &count) < 0 {
            ids = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(names.service, primary, &ids, &count)
        }
        let memberOf = Set(ids.prefix(Int(max(0, count))).map(groupName))
        return TeamLayout.Accounts(existingGroups: groups, serviceUserGroups: memberOf)
    }
}
