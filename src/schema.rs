//! Reads TOML (layout files and statement front matter) against a schema, collecting every
//! problem with its file position instead of stopping at the first, as serde would.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Diagnostic, Location, Problem};

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;
pub(crate) type Table<'i> = DeTable<'i>;

/// Collects diagnostics while reading one TOML document embedded at `base` in `file_text`.
pub(crate) struct Reader<'a> {
    file: &'a Path,
    file_text: &'a str,
    base: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a Path, file_text: &'a str, base: usize) -> Self {
        Reader {
            file,
            file_text,
            base,
            diagnostics: Vec::new(),
        }
    }

    pub fn location(&self, toml_offset: usize) -> Location {
        Location::at(self.file, self.file_text, self.base + toml_offset)
    }

    pub fn report(&mut self, toml_offset: usize, problem: Problem) {
        let location = Some(self.location(toml_offset));
        self.diagnostics.push(Diagnostic { location, problem });
    }

    /// Parses `toml`, reporting syntax errors at their place in the file.
    pub fn parse<'i>(&mut self, toml: &'i str) -> Option<Table<'i>> {
        match DeTable::parse(toml) {
            Ok(table) => Some(table.into_inner()),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let message = e.message().trim().to_string();
                self.report(offset, Problem::TomlSyntax { message });
                None
            }
        }
    }

    /// Checks the keys of `table` against `known` (reporting unknown ones with a suggestion)
    /// and returns a view to read the known ones from.
    pub fn fields<'t, 'i>(
        &mut self,
        table: &'t Table<'i>,
        section: &str,
        known: &[&str],
    ) -> Fields<'t, 'i> {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let suggestion = did_you_mean(name, known);
                self.report(
                    key.span().start,
                    Problem::UnknownKey {
                        key: name.to_string(),
                        section: section.to_string(),
                        suggestion,
                    },
                );
            }
        }
        Fields {
            table,
            prefix: if section.starts_with('[') {
                section.trim_matches(|c| c == '[' || c == ']').to_string() + "."
            } else {
                String::new()
            },
        }
    }

    pub fn wrong_type(&mut self, key: &str, value: &Value, expected: &'static str) {
        self.report(
            value.span().start,
            Problem::WrongType {
                key: key.to_string(),
                expected,
                found: type_name(value.get_ref()),
            },
        );
    }

    pub fn invalid(&mut self, key: &str, value: &Value, message: impl Into<String>) {
        self.report(
            value.span().start,
            Problem::InvalidValue {
                key: key.to_string(),
                message: message.into(),
            },
        );
    }

    pub fn string(&mut self, key: &str, value: &Value) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str, value: &Value) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, value, "true or false");
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str, value: &Value) -> Option<i64> {
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.invalid(key, value, "integer out of range");
                    None
                }
            },
            _ => {
                self.wrong_type(key, value, "an integer");
                None
            }
        }
    }

    /// A page of a PDF file named as an image: a whole number from 1.
    pub fn page_number(&mut self, key: &str, value: &Value) -> Option<u32> {
        let n = self.integer(key, value)?;
        match u32::try_from(n) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                self.invalid(key, value, "a page number counts from 1 (the first page)");
                None
            }
        }
    }

    pub fn number(&mut self, key: &str, value: &Value) -> Option<f64> {
        match value.get_ref() {
            DeValue::Integer(_) => self.integer(key, value).map(|n| n as f64),
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    self.invalid(key, value, "expected a finite number");
                    None
                }
            },
            _ => {
                self.wrong_type(key, value, "a number");
                None
            }
        }
    }

    pub fn string_list(&mut self, key: &str, value: &Value) -> Option<Vec<String>> {
        match value.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items.iter() {
                    match self.string(key, item) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            _ => {
                self.wrong_type(key, value, "an array of strings");
                None
            }
        }
    }

    pub fn table<'t, 'i>(&mut self, key: &str, value: &'t Value<'i>) -> Option<&'t Table<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, value, "a table");
                None
            }
        }
    }

    /// An array of tables, like `[[signatories]]`.
    pub fn tables<'t, 'i>(&mut self, key: &str, value: &'t Value<'i>) -> Vec<&'t Table<'i>> {
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| self.table(key, item))
                .collect(),
            _ => {
                self.wrong_type(key, value, "an array of tables");
                Vec::new()
            }
        }
    }
}

/// The known keys of one table, with the dotted prefix used to name them in messages.
pub(crate) struct Fields<'t, 'i> {
    table: &'t Table<'i>,
    prefix: String,
}

impl<'t, 'i> Fields<'t, 'i> {
    pub fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table.get(key)
    }

    /// The key's full dotted name, for messages (`body.size`).
    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

pub(crate) fn type_name(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date/time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The closest known name, if it is close enough to be what the user meant.
pub(crate) fn did_you_mean(name: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["margins", "size", "title"];
        assert_eq!(did_you_mean("margin", &known).as_deref(), Some("margins"));
        assert_eq!(did_you_mean("titel", &known).as_deref(), Some("title"));
        assert_eq!(did_you_mean("colour", &known), None);
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let text = "a = 1\nb = \"x\"\nc = true\n";
        let mut r = Reader::new(Path::new("f.toml"), text, 0);
        let table = r.parse(text).unwrap();
        let fields = r.fields(&table, "the layout", &["a", "b"]);
        let a = fields.get("a").unwrap();
        let b = fields.get("b").unwrap();
        assert!(r.string("a", a).is_none());
        assert!(r.boolean("b", b).is_none());
        let lines: Vec<usize> = r
            .diagnostics
            .iter()
            .map(|d| d.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, vec![3, 1, 2]);
    }

    #[test]
    fn syntax_errors_are_placed_in_the_enclosing_file() {
        let file = "+++\ntitle = \"x\nmore\n+++\n";
        let toml = &file[4..file.len() - 4];
        let mut r = Reader::new(Path::new("s.md"), file, 4);
        assert!(r.parse(toml).is_none());
        let loc = r.diagnostics[0].location.clone().unwrap();
        // The string opened on line 2 runs on; the parser notices it on line 2 or 3 of the
        // statement file, never on the TOML's own line 1.
        assert!((2..=3).contains(&loc.line), "{loc}");
    }
}
