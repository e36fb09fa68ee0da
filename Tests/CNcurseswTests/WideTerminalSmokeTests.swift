import CNcursesw
import Glibc
import Testing

/// Proves the shim: a real terminal initialised on a pseudo-terminal with `newterm`, a wide
/// string drawn with the wide API, and the cells read back from the curses window.
@Suite(.serialized) struct WideTerminalSmokeTests {
    @Test func drawsAWideStringOnAPseudoTerminal() throws {
        setlocale(LC_ALL, "C.UTF-8")
        var controller: Int32 = -1
        var device: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        #expect(openpty(&controller, &device, nil, nil, &size) == 0)
        defer { close(controller) }
        let output = fdopen(device, "w")
        let input = fdopen(dup(device), "r")
        #expect(output != nil && input != nil)
        let screen = newterm("xterm-256color", output, input)
        #expect(screen != nil)
        defer {
            endwin()
            delscreen(screen)
            fclose(output)
            fclose(input)
        }
        let window = cn_stdscr()!
        var rows: Int32 = 0
        var columns: Int32 = 0
        cn_getmaxyx(window, &rows, &columns)
        #expect(rows == 24 && columns == 80)

        // "Perú 日本" : 日 and 本 take two columns each.
        let text = "Perú 日本"
        let wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        #expect(mvwaddnwstr(window, 1, 2, wide, Int32(wide.count)) == OK)
        var cell = cchar_t()
        #expect(cn_setcchar(&cell, [0x2713, 0], cn_a_bold(), 0) == OK)  // ✓ in bold
        #expect(mvwadd_wch(window, 2, 0, &cell) == OK)
        #expect(wrefresh(window) == OK)

        // Read the cells back: the wide glyphs occupy two columns each, so 本 starts at column 9.
        var cellRead = cchar_t()
        var glyphs: [UInt32] = []
        for column: Int32 in [2, 5, 7, 9] {
            #expect(mvwin_wch(window, 1, column, &cellRead) == OK)
            var chars = [wchar_t](repeating: 0, count: 8)
            var attrs: attr_t = 0
            var pair: Int16 = 0
            #expect(getcchar(&cellRead, &chars, &attrs, &pair, nil) == OK)
            glyphs.append(UInt32(bitPattern: chars[0]))
        }
        #expect(glyphs == [0x50, 0xFA, 0x65E5, 0x672C])  // P ú 日 本
        #expect(mvwin_wch(window, 2, 0, &cellRead) == OK)
        var chars = [wchar_t](repeating: 0, count: 8)
        var attrs: attr_t = 0
        var pair: Int16 = 0
        #expect(getcchar(&cellRead, &chars, &attrs, &pair, nil) == OK)
        #expect(chars[0] == 0x2713)
        #expect(attrs & cn_a_bold() != 0)

        // And the terminal really received the UTF-8 bytes.
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received: [UInt8] = []
        var pollSet = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
        while poll(&pollSet, 1, 200) > 0 {
            let n = read(controller, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let stream = String(decoding: received, as: UTF8.self)
        #expect(stream.contains("日本"))
        #expect(stream.contains("ú"))
    }
}
