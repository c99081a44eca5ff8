package auth

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Audit query limits.
const (
	DefaultAuditLimit = 50
	MaxAuditLimit     = 1000
	maxAuditMessage   = 2000
)

// Target is what an audited action was aimed at. Names are as Pexip reported them (chosen by
// callers, so untrusted); ids are Pexip's.
type Target struct {
	ConferenceID, ConferenceName   string
	ParticipantID, ParticipantName string
	ServiceID, ServiceName         string
}

// Entry is one audited action: a command or a configuration change made through pexops.
type Entry struct {
	ID      int64
	Time    time.Time // set by Record when zero
	Account string    // who
	Address string    // from where
	// Action is the command ("participant/mute") or the change ("configuration/update").
	Action string
	// Resource is the configuration resource changed ("conference"), empty for commands.
	Resource string
	// Fields names the fields a change set. Values are not kept: some (PINs) are secrets.
	Fields  []string
	Target  Target
	OK      bool
	Message string // why it failed, or a short note
}

// Filter selects audit entries; zero fields match everything.
type Filter struct {
	Account string    // exact account name
	Target  string    // substring of any target name or id, case-insensitive for ASCII
	Action  string    // exact action
	Since   time.Time // inclusive
	Until   time.Time // exclusive
	Limit   int       // default DefaultAuditLimit, at most MaxAuditLimit
	Offset  int
}

// Audit is the audit trail in the store.
type Audit struct {
	store *Store
}

// NewAudit returns the audit trail over store.
func NewAudit(store *Store) *Audit { return &Audit{store: store} }

// Record writes e and returns once it is on disk, so the console can record before it answers.
// It ignores cancellation of ctx (a client hanging up must not lose the record of a command
// already sent) but gives up after 10 s.
func (a *Audit) Record(ctx context.Context, e Entry) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if e.Time.IsZero() {
		e.Time = a.store.now()
	}
	if e.Action == "" {
		return fmt.Errorf("record audit entry: no action")
	}
	if len(e.Message) > maxAuditMessage {
		e.Message = strings.ToValidUTF8(e.Message[:maxAuditMessage], "") + "…"
	}
	fields, err := json.Marshal(e.Fields)
	if err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	t := e.Target
	_, err = a.store.db.ExecContext(ctx,
		`INSERT INTO audit(time, account, address, action, resource, fields,
			conference_id, conference_name, participant_id, participant_name,
			service_id, service_name, ok, message)
		 VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		toNanos(e.Time), e.Account, e.Address, e.Action, e.Resource, string(fields),
		t.ConferenceID, t.ConferenceName, t.ParticipantID, t.ParticipantName,
		t.ServiceID, t.ServiceName, e.OK, e.Message)
	if err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	return nil
}

// Query returns the entries matching f, newest first, and how many match in all.
func (a *Audit) Query(ctx context.Context, f Filter) ([]Entry, int, error) {
	where, args := f.where()
	var total int
	if err := a.store.db.QueryRowContext(ctx, "SELECT count(*) FROM audit"+where,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("query audit: %w", err)
	}

	limit := f.Limit
	if limit <= 0 {
		limit = DefaultAuditLimit
	}
	limit = min(limit, MaxAuditLimit)
	rows, err := a.store.db.QueryContext(ctx,
		`SELECT id, time, account, address, action, resource, fields,
			conference_id, conference_name, participant_id, participant_name,
			service_id, service_name, ok, message
		 FROM audit`+where+` ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("query audit: %w", err)
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if f.Account != "" {
		conds, args = append(conds, "account = ?"), append(args, f.Account)
	}
	if f.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, f.Action)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "time >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "time < ?"), append(args, f.Until.UnixNano())
	}
	if f.Target != "" {
		var like []string
		pattern := "%" + escapeLike(f.Target) + "%"
		for _, col := range []string{"conference_id", "conference_name", "participant_id",
			"participant_name", "service_id", "service_name"} {
			like, args = append(like, col+` LIKE ? ESCAPE '\'`), append(args, pattern)
		}
		conds = append(conds, "("+strings.Join(like, " OR ")+")")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(row scanner) (Entry, error) {
	var (
		e      Entry
		t      = &e.Target
		at     int64
		fields string
	)
	err := row.Scan(&e.ID, &at, &e.Account, &e.Address, &e.Action, &e.Resource, &fields,
		&t.ConferenceID, &t.ConferenceName, &t.ParticipantID, &t.ParticipantName,
		&t.ServiceID, &t.ServiceName, &e.OK, &e.Message)
	if err != nil {
		return Entry{}, err
	}
	e.Time = fromNanos(at)
	if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
		return Entry{}, fmt.Errorf("fields of entry %d: %w", e.ID, err)
	}
	return e, nil
}

// Prune deletes entries older than olderThan (by the store's clock) and returns how many.
func (a *Audit) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	cutoff := a.store.now().Add(-olderThan)
	res, err := a.store.db.ExecContext(ctx, "DELETE FROM audit WHERE time < ?", cutoff.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("prune audit: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune audit: %w", err)
	}
	return n, nil
}

// csvHeader names the columns WriteCSV writes.
var csvHeader = []string{"time", "account", "address", "action", "resource", "fields",
	"conference_name", "conference_id", "participant_name", "participant_id",
	"service_name", "service_id", "result", "message"}

// WriteCSV writes entries as CSV with a header row. A cell a spreadsheet could run as a
// formula (starting with = + - @, tab or carriage return) gets a leading apostrophe: names come
// from Pexip callers and must stay text.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write audit csv: %w", err)
	}
	for _, e := range entries {
		result := "ok"
		if !e.OK {
			result = "failed"
		}
		t := e.Target
		row := []string{e.Time.UTC().Format(time.RFC3339Nano), e.Account, e.Address, e.Action,
			e.Resource, strings.Join(e.Fields, ","), t.ConferenceName, t.ConferenceID,
			t.ParticipantName, t.ParticipantID, t.ServiceName, t.ServiceID, result, e.Message}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write audit csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write audit csv: %w", err)
	}
	return nil
}

func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
