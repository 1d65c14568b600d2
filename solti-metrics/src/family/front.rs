//! Byte strings kept front-coded: each as the length it shares with the one before and the
//! rest. The export order keeps the rendered labels of its series this way: sorted by their
//! values, neighbours share most of their text (`id="u000041",shard="s0` of
//! `id="u000041",shard="s07"` and `id="u000041",shard="s08"`), which is then kept once.

/// Strings one after the other, front-coded: for each, the bytes it shares with the one before
/// (LEB128), the number of bytes after those (LEB128), and those bytes.
#[derive(Default)]
pub(super) struct FrontCoded {
    bytes: Vec<u8>,
}

impl FrontCoded {
    /// Forgets every string.
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
    }

    /// Appends `next`; `previous` is the string appended before it (empty for the first).
    pub(super) fn push(&mut self, previous: &[u8], next: &[u8]) {
        let shared = previous.iter().zip(next).take_while(|(a, b)| a == b).count();
        let rest = next.get(shared..).unwrap_or_default();
        write_len(&mut self.bytes, shared);
        write_len(&mut self.bytes, rest.len());
        self.bytes.extend_from_slice(rest);
    }

    /// Frees the room left for growth: kept until the order is made again.
    pub(super) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    /// The strings, read in order from the first.
    pub(super) fn reader(&self) -> Reader<'_> {
        Reader { rest: &self.bytes }
    }
}

/// Reads front-coded strings in order, each into a line that holds the one before.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    /// Makes `line` the next string: cut to the bytes it shares with the string before (which
    /// `line` must start with: anything after that string is cut too), the rest appended.
    /// `false` past the last string, `line` then unchanged.
    #[inline]
    pub(super) fn next_into(&mut self, line: &mut Vec<u8>) -> bool {
        let Some((shared, rest)) = read_len(self.rest) else { return false };
        let Some((len, rest)) = read_len(rest) else { return false };
        let Some((text, rest)) = rest.split_at_checked(len) else { return false };
        line.truncate(shared);
        line.extend_from_slice(text);
        self.rest = rest;
        true
    }
}

/// Appends `len` as LEB128: one byte below 128.
fn write_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push((len & 0x7f) as u8 | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

/// A length read back, and what follows it; `None` for bytes [`write_len`] did not write.
/// Always inline: the common case is one byte, and a call costs more than reading it.
#[inline(always)]
fn read_len(bytes: &[u8]) -> Option<(usize, &[u8])> {
    match bytes.split_first() {
        Some((&first, rest)) if first < 0x80 => Some((usize::from(first), rest)),
        _ => read_long_len(bytes),
    }
}

/// [`read_len`] of a length of more than one byte.
#[cold]
#[inline(never)]
fn read_long_len(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut len = 0usize;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        len |= usize::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte < 0x80 {
            return Some((len, bytes.get(i + 1..)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string reads back as it was pushed, whatever it shares with its neighbours, long
    /// lengths included.
    #[test]
    fn strings_read_back_as_pushed() {
        let long = "x".repeat(300);
        let strings: Vec<Vec<u8>> = [
            "",
            "id=\"1\"",
            "id=\"1\",shard=\"a\"",
            "id=\"1\",shard=\"b\"",
            "id=\"2\"",
            "",
            long.as_str(),
            &format!("{long}y"),
            "z",
        ]
        .iter()
        .map(|text| text.as_bytes().to_vec())
        .collect();
        let mut coded = FrontCoded::default();
        let mut previous: &[u8] = &[];
        for string in &strings {
            coded.push(previous, string);
            previous = string;
        }
        let mut reader = coded.reader();
        let mut line = Vec::new();
        for string in &strings {
            assert!(reader.next_into(&mut line));
            assert_eq!(&line, string);
            // What a scrape appends after the labels (the registry's constant labels) is cut by
            // the next string.
            line.extend_from_slice(b",env=\"prod\"");
        }
        assert!(!reader.next_into(&mut line), "past the last");
    }

    /// Neighbours that share their text keep it once.
    #[test]
    fn shared_text_is_kept_once() {
        let mut coded = FrontCoded::default();
        coded.push(b"", b"id=\"u000041\",shard=\"s07\"");
        let first = coded.bytes.len();
        coded.push(b"id=\"u000041\",shard=\"s07\"", b"id=\"u000041\",shard=\"s08\"");
        assert_eq!(coded.bytes.len() - first, 4, "two lengths and `8\"`");
    }

    /// Lengths of any size read back; bytes that are not a length are refused, not panicked on.
    #[test]
    fn lengths_read_back() {
        for len in [0, 1, 127, 128, 300, 1 << 20, usize::MAX >> 1] {
            let mut out = Vec::new();
            write_len(&mut out, len);
            assert_eq!(read_len(&out), Some((len, &[][..])));
        }
        assert_eq!(read_len(&[]), None);
        assert_eq!(read_len(&[0x80, 0x80]), None);
        assert_eq!(read_len(&[0xff; 11]), None);
    }
}
