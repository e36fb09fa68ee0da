import CleoDomain
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// One row of `users`: a user's role and who gave it. A user with no row is `support`.
public struct RoleGrant: Sendable, Equatable {
    public var user: String
    public var role: OperatorRole
    public var grantedBy: String
    public var grantedAt: Timestamp
}

/// Why something was not done (cli.md exit 77): the role forbids it, or the operating system
/// does not let this user write the database. `recorded` says whether the refusal is in the
/// audit trail (a user who may only read the database cannot leave a row).
public enum PermissionRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    case role(user: String, role: OperatorRole, reason: String, recorded: Bool)
    case readOnlyDatabase(user: String, path: String)
    case lastAdmin(user: String)

    public var description: String {
        switch self {
        case .role(let user, _, let reason, let recorded):
            "\(user) is not permitted: \(reason)" + (recorded ? "" : " (not recorded: this user may only read the database)")
        case .readOnlyDatabase(let user, let path):
            "the operating system does not let \(user) write the database \(path); nothing was changed (roles.md: writers are in the group that owns it)"
        case .lastAdmin(let user):
            "\(user) is the last admin: grant admin to someone else first; nothing was changed"
        }
    }
}

extension AppDatabase {
    /// Opened with `openReadOnly`, or on a file this process may not write: nothing can be recorded.
    public var isReadOnly: Bool { dbPool.configuration.readonly || access(path, W_OK) != 0 }

    /// The role of `user` (support when there is no row).
    public func role(of user: String) throws -> OperatorRole {
        try dbPool.read { db in try Self.role(db, of: user) }
    }

    public func users() throws -> [RoleGrant] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map { row in
                RoleGrant(user: row["name"], role: OperatorRole(rawValue: row["role"]) ?? .support, grantedBy: row["grantedBy"],
                         grantedAt: Timestamp(millisecondsSince1970: row["grantedAt"]))
            }
        }
    }

    static func role(_ db: Database, of user: String) throws -> OperatorRole {
        guard try db.tableExists("users") else { return .support }
        return try String.fetchOne(db, sql: "SELECT role FROM users WHERE name = ?", arguments: [user]).flatMap(OperatorRole.init(rawValue:)) ?? .support
    }

    /// Refuses `action` unless the actor's role allows it: the refusal is audited (as `field`)
    /// where this process can write the database, and thrown. Every writer passes here.
    public func authorize(_ actor: Actor, _ action: RoleAction, field: String, now: Timestamp) throws {
        let role = try role(of: actor.user)
        guard let reason = role.refusal(of: action) else { return }
        var recorded = false
        if !isReadOnly {
            recorded = (try? writeImmediate { db in
                try Self.audit(db, actor: actor, now: now, field: field, old: nil, new: nil, result: .refused, detail: reason)
            }) != nil
        }
        throw PermissionRefusal.role(user: actor.user, role: role, reason: reason, recorded: recorded)
    }

    /// The same check inside a write transaction (the role may have changed since `authorize`).
    static func requireRole(_ db: Database, _ actor: Actor, _ action: RoleAction) throws {
        let role = try role(db, of: actor.user)
        if let reason = role.refusal(of: action) {
            throw PermissionRefusal.role(user: actor.user, role: role, reason: reason, recorded: false)
        }
    }

    func requireWritable(_ actor: Actor) throws {
        if isReadOnly { throw PermissionRefusal.readOnlyDatabase(user: actor.user, path: path) }
    }

    /// Gives `user` `role` (admin only; nobody grants above their own role), audited.
    public func grant(_ role: OperatorRole, to user: String, actor: Actor, now: Timestamp) throws {
        let field = "role of \(user)"
        try authorize(actor, .grant(role), field: field, now: now)
        try requireWritable(actor)
        try writeImmediate { db in
            try Self.requireRole(db, actor, .grant(role))
            let old = try Self.role(db, of: user)
            if old == .admin, role != .admin, try Self.adminCount(db) <= 1 { throw PermissionRefusal.lastAdmin(user: user) }
            try db.execute(sql: "INSERT OR REPLACE INTO users(name, role, grantedBy, grantedAt) VALUES (?, ?, ?, ?)",
                           arguments: [user, role.rawValue, actor.user, now.millisecondsSince1970])
            try Self.audit(db, actor: actor, now: now, field: field, old: old.rawValue, new: role.rawValue, result: .saved, detail: "users grant")
        }
    }

    /// Takes `user`'s role away (they are `support` again), audited. The last admin stays.
    public func revoke(_ user: String, actor: Actor, now: Timestamp) throws {
        let field = "role of \(user)"
        try authorize(actor, .revoke, field: field, now: now)
        try requireWritable(actor)
        try writeImmediate { db in
            try Self.requireRole(db, actor, .revoke)
            let old = try Self.role(db, of: user)
            if old == .admin, try Self.adminCount(db) <= 1 { throw PermissionRefusal.lastAdmin(user: user) }
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [user])
            try Self.audit(db, actor: actor, now: now, field: field, old: old.rawValue, new: OperatorRole.support.rawValue, result: .saved, detail: "users revoke")
        }
    }

    static func adminCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE role = 'admin'") ?? 0
    }

    /// The creator of the database is its admin (roles.md): the owner of the file, recorded
    /// once (`meta.roles_seeded`), so a database made before roles existed gets its owner too.
    func seedCreatorAdmin(now: Timestamp = Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1_000))) throws {
        let seeded = try dbPool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'roles_seeded'") }
        if seeded != nil { return }
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let owner = getpwuid(info.st_uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(info.st_uid)"
        try writeImmediate { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'roles_seeded'") == nil else { return }
            try db.execute(sql: "INSERT OR IGNORE INTO users(name, role, grantedBy, grantedAt) VALUES (?, 'admin', '(creator)', ?)",
                           arguments: [owner, now.millisecondsSince1970])
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('roles_seeded', '1')")
        }
    }
}
