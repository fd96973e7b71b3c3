package store

// Reading a CSV file for an import: its encoding (UTF-8 with or without a byte-order
// mark, UTF-16 with one, else Windows-1252), its separator (comma, semicolon or tab,
// from the header line), its header and every record. InspectImport reads the whole
// file before anything is written, so that a file that cannot be read is refused
// whole, never half imported.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Import limits.
const (
	// MaxImportSize is the largest file an import reads: 50 MB.
	MaxImportSize = 50 << 20
	// PreviewRows is how many rows the preview checks and shows.
	PreviewRows = 10
	// maxImportColumns bounds the header: a file with more is not a lead list.
	maxImportColumns = 200
)

// The encodings an import reads, as the preview names them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with a byte-order mark"
	EncodingUTF16       = "UTF-16"
	EncodingWindows1252 = "Windows-1252 (Latin-1)"
)

// ImportFile is a CSV file as an import reads it. Row numbers count as a spreadsheet
// does: the header is row 1, the first lead row 2 (a value with a line break inside
// quotes stays in its row).
type ImportFile struct {
	Path      string
	Encoding  string // one of the Encoding… constants
	Delimiter rune   // ',', ';' or '\t'
	Header    []string
	Rows      int        // rows under the header
	Sample    [][]string // the first PreviewRows of them, as read
}

// DelimiterName names the file's separator for people: "commas".
func (f ImportFile) DelimiterName() string {
	switch f.Delimiter {
	case ';':
		return "semicolons"
	case '\t':
		return "tabs"
	}
	return "commas"
}

// ColumnName is a column as spreadsheets name it: A, B, …, Z, AA.
func ColumnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func fileError(format string, args ...any) error {
	return &Error{Code: EInvalid, Message: "This file cannot be imported; nothing was imported",
		Fields: map[string]string{"file": fmt.Sprintf(format, args...)}}
}

// InspectImport reads the whole CSV file at path and says how it is encoded and
// separated, what its header is and how many rows it has. A file it cannot import
// (empty, too large, binary, not CSV, a header alone, a broken quote) is an EInvalid
// error whose field "file" says why.
func InspectImport(path string) (ImportFile, error) {
	f := ImportFile{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return f, fmt.Errorf("store: import: %w", err)
	}
	switch {
	case st.Size() == 0:
		return f, fileError("is empty: there is nothing to import")
	case st.Size() > MaxImportSize:
		return f, fileError("is larger than 50 MB; split it into smaller files")
	}
	if f.Encoding, err = detectEncoding(path); err != nil {
		return f, err
	}
	r, closeFile, err := openImport(path, f.Encoding)
	if err != nil {
		return f, err
	}
	defer closeFile()
	f.Delimiter = r.Comma
	header, err := r.Read()
	switch {
	case errors.Is(err, io.EOF):
		return f, fileError("is empty: there is nothing to import")
	case err != nil:
		return f, csvError(err)
	}
	for i, h := range header {
		// A byte-order mark on a file that is not UTF-8 after all reads as "ï»¿".
		header[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(h, "\ufeff"), "ï»¿"))
	}
	f.Header = header
	if len(header) > maxImportColumns {
		return f, fileError("has %d columns; a lead list has at most %d", len(header), maxImportColumns)
	}
	if len(header) == 1 && GuessMapping(header)[0] == "" {
		return f, fileError("does not look like a CSV file: its first line has no commas, semicolons or tabs between column names")
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return f, csvError(err)
		}
		if f.Rows < PreviewRows {
			f.Sample = append(f.Sample, rec)
		}
		f.Rows++
	}
	if f.Rows == 0 {
		return f, fileError("has a header row but no rows under it: there is nothing to import")
	}
	return f, nil
}

// csvError says where and why a file's CSV is broken.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("store: import: %w", err)
	}
	why := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		why = `a " appears inside a value that does not start with one (quote the whole value, and double the " inside it)`
	case errors.Is(pe.Err, csv.ErrQuote):
		why = `a quoted value is not closed, or a " follows its closing quote`
	}
	return fileError("cannot be read as CSV at line %d: %s", pe.Line, why)
}

// detectEncoding reads the file once: a byte-order mark names the encoding; else a
// NUL byte means it is not text, and bytes that are not UTF-8 mean Windows-1252 (the
// encoding of spreadsheets saved as "CSV" on Windows, a superset of Latin-1).
func detectEncoding(path string) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("store: import: %w", err)
	}
	defer file.Close()
	br := bufio.NewReaderSize(file, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		// Still checked below: a BOM does not make the rest UTF-8.
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncodingUTF16, nil
	}
	valid := true
	var carry []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := br.Read(buf)
		chunk := buf[:n]
		if bytes.IndexByte(chunk, 0) >= 0 {
			return "", fileError("is not a CSV file: it holds binary data (a spreadsheet workbook, an image or a PDF?). Save it as CSV from your spreadsheet and upload that")
		}
		if valid && n > 0 {
			chunk = append(carry, chunk...)
			cut := completeRunes(chunk)
			valid = utf8.Valid(chunk[:cut])
			carry = append(carry[:0], chunk[cut:]...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("store: import: %w", err)
		}
	}
	switch {
	case !valid || len(carry) > 0:
		return EncodingWindows1252, nil
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8BOM, nil
	}
	return EncodingUTF8, nil
}

// completeRunes is the length of b without a UTF-8 sequence cut off at its end.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// openImport opens the file as text in its encoding (dropping a byte-order mark)
// and returns a CSV reader with the separator its header line uses.
func openImport(path, encoding string) (*csv.Reader, func() error, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("store: import: %w", err)
	}
	var text io.Reader = file
	switch encoding {
	case EncodingUTF8BOM:
		if _, err := io.ReadFull(file, make([]byte, 3)); err != nil {
			file.Close()
			return nil, nil, fmt.Errorf("store: import: %w", err)
		}
	case EncodingUTF16:
		text = xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Reader(file)
	case EncodingWindows1252:
		text = charmap.Windows1252.NewDecoder().Reader(file)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	r := csv.NewReader(br)
	r.Comma = sniffDelimiter(br)
	r.FieldsPerRecord = -1 // a row of another length is that row's problem, not the file's
	return r, file.Close, nil
}

// sniffDelimiter is the separator the header line uses most: a comma, or the
// semicolon of spreadsheets in languages that write decimal commas, or a tab.
func sniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(64 << 10)
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		counts[b]++
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}

// ImportFields are the fields a column can fill, in the order the mapping offers
// them. First and last name make the name when no column is the whole name.
var ImportFields = []string{"name", "first_name", "last_name", "email", "phone", "company", "status", "pool", "tags", "source"}

// ImportFieldLabel is a field as the mapping names it.
func ImportFieldLabel(field string) string {
	switch field {
	case "first_name":
		return "First name"
	case "last_name":
		return "Last name"
	case "email":
		return "E-mail"
	}
	if field == "" {
		return ""
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// importSynonyms are the header names (lower-case, letters and digits only) each
// field is guessed from.
var importSynonyms = map[string][]string{
	"name":       {"name", "fullname", "contactname", "leadname", "contact", "person", "customername", "customer"},
	"first_name": {"firstname", "givenname", "forename", "first"},
	"last_name":  {"lastname", "surname", "familyname", "last"},
	"email":      {"email", "emailaddress", "mail", "workemail", "businessemail", "emailid"},
	"phone":      {"phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "workphone", "businessphone", "phoneno", "contactnumber"},
	"company":    {"company", "companyname", "organization", "organisation", "org", "account", "accountname", "business", "employer"},
	"status":     {"status", "leadstatus", "stage"},
	"pool":       {"pool", "poolname", "leadpool"},
	"tags":       {"tags", "tag", "labels", "label"},
	"source":     {"source", "leadsource", "origin", "channel"},
}

// ImportMapping says which field each column of the file fills: the field of
// column i, or "" when the column is not imported.
type ImportMapping []string

// GuessMapping maps the header's columns by their names, in any case and with or
// without spaces, dashes or underscores ("E-mail", "Email Address", "Phone Number",
// "Company Name", "First Name"): the first column that names a field fills it.
func GuessMapping(header []string) ImportMapping {
	bySynonym := map[string]string{}
	for field, names := range importSynonyms {
		for _, n := range names {
			bySynonym[n] = field
		}
	}
	m := make(ImportMapping, len(header))
	used := map[string]bool{}
	for i, h := range header {
		key := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, h)
		if field := bySynonym[key]; field != "" && !used[field] {
			m[i], used[field] = field, true
		}
	}
	if used["name"] { // a whole name wins over its parts
		for i, field := range m {
			if field == "first_name" || field == "last_name" {
				m[i] = ""
			}
		}
	}
	return m
}

// CheckImportMapping refuses a mapping an import cannot run with: a field filled
// from two columns, no name, or a name both whole and in parts. Each problem is a
// field "map_N" (column N, from 0) or "map" (the mapping as a whole).
func CheckImportMapping(header []string, m ImportMapping) error {
	v := Invalid{}
	if len(m) != len(header) {
		v.Add("map", fmt.Sprintf("has %d columns; the file has %d", len(m), len(header)))
		return v.Err()
	}
	cols := map[string][]int{}
	for i, field := range m {
		switch {
		case field == "":
		case !contains(ImportFields, field):
			v.Add(fmt.Sprintf("map_%d", i), "is not a field a column can fill")
		default:
			cols[field] = append(cols[field], i)
		}
	}
	for field, is := range cols {
		if len(is) < 2 {
			continue
		}
		names := make([]string, len(is))
		for k, i := range is {
			names[k] = ColumnName(i)
		}
		for _, i := range is {
			v.Add(fmt.Sprintf("map_%d", i), fmt.Sprintf("%s is chosen for columns %s: choose one column for it", ImportFieldLabel(field), strings.Join(names, " and ")))
		}
	}
	switch {
	case len(cols["name"]) == 0 && len(cols["first_name"]) == 0 && len(cols["last_name"]) == 0:
		v.Add("map", "Choose the column that holds each lead's name (or first and last name): a lead needs a name")
	case len(cols["name"]) > 0:
		for _, part := range []string{"first_name", "last_name"} {
			for _, i := range cols[part] {
				v.Add(fmt.Sprintf("map_%d", i), fmt.Sprintf("Name is already filled from column %s: import either the whole name or its parts", ColumnName(cols["name"][0])))
			}
		}
	}
	if err := v.Err(); err != nil {
		e := err.(*Error)
		e.Message = "Please correct the column mapping; nothing was imported"
		return e
	}
	return nil
}
