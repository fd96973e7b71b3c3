package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"leadkeep/store"
)

// --- Workspaces and pools ---------------------------------------------------

func TestCreateWorkspaceStartsWithADefaultPool(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "  Acme  ")

	want := store.Workspace{ID: ws.ID, Name: "Acme", RetentionDays: 30, PurgeHour: 2, Timezone: "UTC",
		DefaultRegion: "US", CreatedAt: c.t}
	if !reflect.DeepEqual(ws, want) {
		t.Errorf("created workspace = %+v, want %+v", ws, want)
	}
	if !strings.HasPrefix(ws.ID, "ws_") {
		t.Errorf("workspace id %q has no ws_ prefix", ws.ID)
	}
	got, err := s.Workspace(ctx, ws.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read back = %+v, %v; want %+v", got, err, want)
	}
	pools, err := s.Pools(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != 1 || pools[0].Name != store.DefaultPoolName || !pools[0].IsDefault || pools[0].WorkspaceID != ws.ID {
		t.Fatalf("pools = %+v, want one default pool named %q", pools, store.DefaultPoolName)
	}
}

func TestWorkspaceNamesAreUnique(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	mustWorkspace(t, s, "Acme")
	for _, name := range []string{"Acme", "  Acme "} {
		_, err := s.CreateWorkspace(ctx, name)
		if e := wantError(t, err, store.EConflict); e.Fields["name"] == "" {
			t.Errorf("duplicate %q: error %v names no field", name, err)
		}
	}
	for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
		_, err := s.CreateWorkspace(ctx, name)
		wantInvalid(t, err, "name")
	}
}

func TestFindWorkspaceByIDOrName(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	acme, globex := mustWorkspace(t, s, "Acme"), mustWorkspace(t, s, "Globex")
	// A workspace named like another's id: the id wins.
	mustWorkspace(t, s, acme.ID)

	for ref, want := range map[string]store.Workspace{acme.ID: acme, "Acme": acme, globex.ID: globex, "Globex": globex} {
		got, err := s.FindWorkspace(ctx, ref)
		if err != nil || got.ID != want.ID {
			t.Errorf("FindWorkspace(%q) = %s, %v; want %s", ref, got.ID, err, want.ID)
		}
	}
	for _, ref := range []string{"Initech", "acme", "ws_0000000000000000", ""} {
		_, err := s.FindWorkspace(ctx, ref)
		wantError(t, err, store.ENotFound)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FindWorkspace(%q): errors.Is(err, ErrNotFound) is false for %v", ref, err)
		}
	}
	if _, err := s.Workspace(ctx, "ws_0000000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Workspace(unknown) = %v, want ErrNotFound", err)
	}
}

func TestPoolNamesAreUniqueWithinAWorkspace(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	acme, globex := mustWorkspace(t, s, "Acme"), mustWorkspace(t, s, "Globex")
	mustPool(t, s, acme, "Partners")
	mustPool(t, s, acme, "Inbound")
	mustPool(t, s, globex, "Partners") // another workspace may use the name

	_, err := s.CreatePool(ctx, acme.ID, "Partners")
	wantError(t, err, store.EConflict)
	_, err = s.CreatePool(ctx, acme.ID, store.DefaultPoolName)
	wantError(t, err, store.EConflict)
	_, err = s.CreatePool(ctx, acme.ID, " ")
	wantInvalid(t, err, "name")

	pools, err := s.Pools(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pools {
		names = append(names, p.Name)
	}
	if want := []string{"Default", "Inbound", "Partners"}; !slices.Equal(names, want) {
		t.Errorf("pools = %v, want %v (default first, then by name)", names, want)
	}
}

// --- Creating and editing leads --------------------------------------------

// leadSetup is a workspace with an admin, a second pool and a clock.
type leadSetup struct {
	s     *store.Store
	clock *clock
	ws    store.Workspace
	user  store.User
	actor store.Actor
	def   store.Pool
	other store.Pool
}

func newLeadSetup(t *testing.T) leadSetup {
	t.Helper()
	s := openStore(t)
	c := withClock(s)
	ws := mustWorkspace(t, s, "Acme")
	u := mustUser(t, s, ws, "dana@acme.example")
	return leadSetup{s: s, clock: c, ws: ws, user: u, actor: store.UserActor(u),
		def: defaultPool(t, s, ws), other: mustPool(t, s, ws, "Outbound")}
}

// assertNoLeads checks that the workspace has no lead anywhere: table, counters, search.
func assertNoLeads(t *testing.T, s *store.Store, ws store.Workspace) {
	t.Helper()
	ctx := context.Background()
	page, err := s.ListLeads(ctx, ws.ID, store.LeadFilter{})
	if err != nil || page.Total != 0 || len(page.Leads) != 0 {
		t.Errorf("table: %d leads, total %d, %v; want none", len(page.Leads), page.Total, err)
	}
	if total, _, err := s.Counts(ctx, ws.ID); err != nil || total != 0 {
		t.Errorf("counts: %d, %v; want 0", total, err)
	}
	page, err = s.ListLeads(ctx, ws.ID, store.LeadFilter{Query: "dana"})
	if err != nil || page.Total != 0 || len(page.Leads) != 0 {
		t.Errorf("search: %d leads, total %d, %v; want none", len(page.Leads), page.Total, err)
	}
}

func TestCreateLeadRefusesInvalidFieldsAndSavesNothing(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	elsewhere := mustWorkspace(t, x.s, "Globex")
	tooManyTags := make([]string, 21)
	for i := range tooManyTags {
		tooManyTags[i] = strings.Repeat("t", i+1)
	}

	for _, tc := range []struct {
		name  string
		in    store.LeadInput
		field string
	}{
		{"missing name", store.LeadInput{Email: ptr("dana@acme.example")}, "name"},
		{"blank name", store.LeadInput{Name: ptr("   ")}, "name"},
		{"name too long", store.LeadInput{Name: ptr(strings.Repeat("x", 201))}, "name"},
		{"e-mail without @", store.LeadInput{Name: ptr("Dana"), Email: ptr("dana.acme.example")}, "email"},
		{"e-mail without a dot in the domain", store.LeadInput{Name: ptr("Dana"), Email: ptr("dana@localhost")}, "email"},
		{"e-mail with a display name", store.LeadInput{Name: ptr("Dana"), Email: ptr("Dana <dana@acme.example>")}, "email"},
		{"phone too short", store.LeadInput{Name: ptr("Dana"), Phone: ptr("123")}, "phone"},
		{"phone of letters", store.LeadInput{Name: ptr("Dana"), Phone: ptr("call me maybe")}, "phone"},
		{"status not in the list", store.LeadInput{Name: ptr("Dana"), Status: ptr("open")}, "status"},
		{"status in the wrong case", store.LeadInput{Name: ptr("Dana"), Status: ptr("Won")}, "status"},
		{"pool of another workspace", store.LeadInput{Name: ptr("Dana"), PoolID: ptr(defaultPool(t, x.s, elsewhere).ID)}, "pool"},
		{"unknown pool", store.LeadInput{Name: ptr("Dana"), PoolID: ptr("pool_0000000000000000")}, "pool"},
		{"too many tags", store.LeadInput{Name: ptr("Dana"), Tags: &tooManyTags}, "tags"},
		{"tag too long", store.LeadInput{Name: ptr("Dana"), Tags: &[]string{strings.Repeat("t", 41)}}, "tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.s.CreateLead(ctx, x.ws, x.actor, tc.in)
			wantInvalid(t, err, tc.field)
		})
	}

	_, err := x.s.CreateLead(ctx, x.ws, x.actor, store.LeadInput{Email: ptr("nope"), Phone: ptr("12"), Status: ptr("hot")})
	wantInvalid(t, err, "name", "email", "phone", "status")

	assertNoLeads(t, x.s, x.ws)
	assertNoLeads(t, x.s, elsewhere)
}

func TestCreateLeadNormalisesThePhoneToE164InTheWorkspaceRegion(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	for _, tc := range []struct{ typed, want string }{
		{"(415) 555-0123", "+14155550123"},
		{"415-555-0123", "+14155550123"},
		{"415.555.0123", "+14155550123"},
		{"+1 415 555 0123", "+14155550123"},
		{"1 (415) 555-0123", "+14155550123"},
		{"  (212) 555-0199  ", "+12125550199"},
		{"+44 20 7946 0123", "+442079460123"},
		{"", ""},
	} {
		l, err := x.s.CreateLead(ctx, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee"), Phone: ptr(tc.typed)})
		if err != nil {
			t.Errorf("phone %q: %v", tc.typed, err)
			continue
		}
		got, err := x.s.Lead(ctx, x.ws.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Phone != tc.want || got.Phone != tc.want {
			t.Errorf("phone %q saved as %q (returned %q), want %q", tc.typed, got.Phone, l.Phone, tc.want)
		}
	}

	// The region comes from the workspace: a British workspace reads national numbers as British.
	gb := x.ws
	gb.DefaultRegion = "GB"
	l, err := x.s.CreateLead(ctx, gb, x.actor, store.LeadInput{Name: ptr("Mary Jones"), Phone: ptr("020 7946 0123")})
	if err != nil || l.Phone != "+442079460123" {
		t.Errorf("GB national number: %q, %v; want +442079460123", l.Phone, err)
	}
}

func TestCreateLeadFillsDefaultsAndReadsBackAsSaved(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)

	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{
		Name: ptr("  Dana Lee "), Email: ptr(" dana@northwind.example "), Phone: ptr("(415) 555-0123"),
		Company: ptr(" Northwind "), Source: ptr("Web form"), Tags: &[]string{"VIP", " trial ", "vip", ""},
	})
	want := store.Lead{ID: l.ID, WorkspaceID: x.ws.ID, PoolID: x.def.ID, PoolName: "Default", Name: "Dana Lee",
		Email: "dana@northwind.example", Phone: "+14155550123", Company: "Northwind", Status: store.StatusNew,
		Source: "Web form", OwnerID: x.user.ID, OwnerName: x.user.Name, Tags: []string{"trial", "vip"},
		CreatedAt: x.clock.t, UpdatedAt: x.clock.t}
	assertLead(t, "returned", l, want)
	got, err := x.s.Lead(ctx, x.ws.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertLead(t, "read back", got, want)
	if !store.ValidLeadID(l.ID) {
		t.Errorf("id %q is not a lead id", l.ID)
	}

	// An empty pool is the default pool too; a named one is used as given.
	l2 := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Sam"), PoolID: ptr(""), Status: ptr("")})
	if l2.PoolID != x.def.ID || l2.Status != store.StatusNew {
		t.Errorf("empty pool and status: pool %s status %q, want the default pool and new", l2.PoolName, l2.Status)
	}
	l3 := mustLead(t, x.s, x.ws, systemActor, store.LeadInput{Name: ptr("Kim"), PoolID: ptr(x.other.ID), Status: ptr("qualified")})
	if l3.PoolID != x.other.ID || l3.PoolName != "Outbound" || l3.Status != store.StatusQualified || l3.OwnerID != "" {
		t.Errorf("lead in a named pool by the system: %+v", l3)
	}
	total, byStatus, err := x.s.Counts(ctx, x.ws.ID)
	if err != nil || total != 3 || byStatus[store.StatusNew] != 2 || byStatus[store.StatusQualified] != 1 {
		t.Errorf("counts = %d %v, %v; want 3 (2 new, 1 qualified)", total, byStatus, err)
	}
}

// assertLead compares what a person sees of a lead (nil and empty tags alike).
func assertLead(t *testing.T, what string, got, want store.Lead) {
	t.Helper()
	type view struct {
		ID, WorkspaceID, PoolID, PoolName, Name, Email, Phone, Company, Source, OwnerID, OwnerName string
		Status                                                                                     store.Status
		Tags                                                                                       string
		CreatedAt, UpdatedAt                                                                       time.Time
		InTrash                                                                                    bool
	}
	v := func(l store.Lead) view {
		return view{l.ID, l.WorkspaceID, l.PoolID, l.PoolName, l.Name, l.Email, l.Phone, l.Company, l.Source, l.OwnerID,
			l.OwnerName, l.Status, strings.Join(l.Tags, ","), l.CreatedAt.UTC(), l.UpdatedAt.UTC(), l.InTrash()}
	}
	if g, w := v(got), v(want); g != w {
		t.Errorf("%s lead:\n got %+v\nwant %+v", what, g, w)
	}
}

func TestUpdateLeadChangesOnlyTheFieldsGiven(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	created := x.clock.t
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee"), Email: ptr("dana@northwind.example"),
		Phone: ptr("(415) 555-0123"), Company: ptr("Northwind"), Source: ptr("Referral"), Tags: &[]string{"vip", "trial"}})

	x.clock.advance(time.Minute)
	got, err := x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, store.LeadInput{Company: ptr("Globex")})
	if err != nil {
		t.Fatal(err)
	}
	want := l
	want.Company, want.UpdatedAt = "Globex", x.clock.t
	assertLead(t, "after company change", got, want)
	read, _ := x.s.Lead(ctx, x.ws.ID, l.ID)
	assertLead(t, "read back", read, want)

	x.clock.advance(time.Minute)
	got, err = x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, store.LeadInput{Status: ptr("won"), PoolID: ptr(x.other.ID)})
	if err != nil {
		t.Fatal(err)
	}
	want.Status, want.PoolID, want.PoolName, want.UpdatedAt = store.StatusWon, x.other.ID, "Outbound", x.clock.t
	assertLead(t, "after status and pool change", got, want)
	read, _ = x.s.Lead(ctx, x.ws.ID, l.ID)
	assertLead(t, "read back", read, want)
	if read.CreatedAt != created {
		t.Errorf("created_at moved from %v to %v", created, read.CreatedAt)
	}

	// Empty values clear optional fields; the phone is normalised as on create.
	got, err = x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, store.LeadInput{Email: ptr(""), Tags: &[]string{}, Phone: ptr("212.555.0199")})
	if err != nil {
		t.Fatal(err)
	}
	want.Email, want.Tags, want.Phone = "", nil, "+12125550199"
	assertLead(t, "after clearing", got, want)
	read, _ = x.s.Lead(ctx, x.ws.ID, l.ID)
	assertLead(t, "read back", read, want)

	// The counters follow the status and pool.
	for _, tc := range []struct {
		pool, status string
		want         int
	}{{x.def.ID, "", 0}, {x.other.ID, "", 1}, {"", "new", 0}, {"", "won", 1}, {x.other.ID, "won", 1}} {
		page, err := x.s.ListLeads(ctx, x.ws.ID, store.LeadFilter{PoolID: tc.pool, Status: tc.status})
		if err != nil || page.Total != tc.want || len(page.Leads) != tc.want {
			t.Errorf("pool %q status %q: total %d, %d rows, %v; want %d", tc.pool, tc.status, page.Total, len(page.Leads), err, tc.want)
		}
	}
}

func TestUpdateLeadThatChangesNothingWritesNothing(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee"), Phone: ptr("+14155550123"), Tags: &[]string{"vip"}})
	x.clock.advance(time.Hour)
	got, err := x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, store.LeadInput{Name: ptr(" Dana Lee "), Phone: ptr("(415) 555-0123"),
		Tags: &[]string{"VIP"}, PoolID: ptr(x.def.ID), Status: ptr("new")})
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(l.UpdatedAt) {
		t.Errorf("updated_at moved to %v by an edit that changed nothing", got.UpdatedAt)
	}
	d, err := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Activity) != 1 {
		t.Errorf("activity = %+v, want only the creation", d.Activity)
	}
}

func TestUpdateLeadWithInvalidInputSavesNothing(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	elsewhere := mustWorkspace(t, x.s, "Globex")
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee"), Email: ptr("dana@northwind.example"),
		Company: ptr("Northwind"), Tags: &[]string{"vip"}})
	before, _ := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
	x.clock.advance(time.Minute)

	for _, tc := range []struct {
		name  string
		in    store.LeadInput
		field string
	}{
		{"blank name", store.LeadInput{Name: ptr(" "), Company: ptr("Globex")}, "name"},
		{"bad e-mail", store.LeadInput{Email: ptr("dana at northwind"), Company: ptr("Globex"), Status: ptr("won")}, "email"},
		{"bad phone", store.LeadInput{Phone: ptr("555"), Tags: &[]string{"enterprise"}}, "phone"},
		{"empty status", store.LeadInput{Status: ptr(""), Company: ptr("Globex")}, "status"},
		{"unknown status", store.LeadInput{Status: ptr("hot"), Company: ptr("Globex")}, "status"},
		{"pool of another workspace", store.LeadInput{PoolID: ptr(defaultPool(t, x.s, elsewhere).ID), Status: ptr("won"), Company: ptr("Globex")}, "pool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, tc.in)
			wantInvalid(t, err, tc.field)
			after, err := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertLead(t, "after refused edit", after.Lead, before.Lead)
			if len(after.Activity) != len(before.Activity) {
				t.Errorf("activity grew from %d to %d entries", len(before.Activity), len(after.Activity))
			}
			_, byStatus, _ := x.s.Counts(ctx, x.ws.ID)
			if byStatus[store.StatusNew] != 1 || byStatus[store.StatusWon] != 0 {
				t.Errorf("counts moved: %v", byStatus)
			}
			page, _ := x.s.ListLeads(ctx, x.ws.ID, store.LeadFilter{Query: "globex"})
			if page.Total != 0 {
				t.Errorf("search index took the refused company")
			}
		})
	}
}

func TestAddNoteRefusesAnEmptyOrOverlongNote(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee")})
	for _, body := range []string{"", "  \n\t ", strings.Repeat("é", 5001)} {
		_, err := x.s.AddNote(ctx, x.ws.ID, x.actor, l.ID, body)
		wantInvalid(t, err, "body")
	}
	d, _ := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
	if len(d.Notes) != 0 || len(d.Activity) != 1 {
		t.Fatalf("refused notes left %d notes and %d activity entries", len(d.Notes), len(d.Activity))
	}
	// 5,000 characters is the limit, not 5,000 bytes.
	if _, err := x.s.AddNote(ctx, x.ws.ID, x.actor, l.ID, strings.Repeat("é", 5000)); err != nil {
		t.Fatalf("a note of 5000 characters: %v", err)
	}
}

func TestLeadDetailShowsNotesTagsAndActivityNewestFirst(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	t0 := x.clock.t
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee"), Tags: &[]string{"vip", "enterprise"}})
	x.clock.advance(time.Minute)
	if _, err := x.s.UpdateLead(ctx, x.ws, x.actor, l.ID, store.LeadInput{Company: ptr("Globex"), Status: ptr("contacted")}); err != nil {
		t.Fatal(err)
	}
	x.clock.advance(time.Minute)
	n1, err := x.s.AddNote(ctx, x.ws.ID, x.actor, l.ID, "  Called, left a voicemail.  ")
	if err != nil {
		t.Fatal(err)
	}
	x.clock.advance(time.Minute)
	n2, err := x.s.AddNote(ctx, x.ws.ID, store.Actor{Kind: "system"}, l.ID, "Wants a quote for 25 seats.")
	if err != nil {
		t.Fatal(err)
	}

	d, err := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Lead.ID != l.ID || d.Lead.Company != "Globex" || d.Lead.Status != store.StatusContacted {
		t.Errorf("lead = %+v", d.Lead)
	}
	if want := []string{"enterprise", "vip"}; !slices.Equal(d.Lead.Tags, want) {
		t.Errorf("tags = %v, want %v", d.Lead.Tags, want)
	}
	type note struct {
		ID, Author, Body string
		At               time.Time
	}
	var notes []note
	for _, n := range d.Notes {
		notes = append(notes, note{n.ID, n.AuthorName, n.Body, n.CreatedAt})
	}
	wantNotes := []note{
		{n2.ID, "Leadkeep", "Wants a quote for 25 seats.", t0.Add(3 * time.Minute)},
		{n1.ID, x.user.Name, "Called, left a voicemail.", t0.Add(2 * time.Minute)},
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes:\n got %+v\nwant %+v", notes, wantNotes)
	}
	var kinds []string
	for _, a := range d.Activity {
		kinds = append(kinds, a.Kind)
	}
	if want := []string{"note", "note", "updated", "created"}; !slices.Equal(kinds, want) {
		t.Fatalf("activity kinds = %v, want %v", kinds, want)
	}
	upd := d.Activity[2]
	if upd.ActorName != x.user.Name || !upd.At.Equal(t0.Add(time.Minute)) ||
		!strings.Contains(upd.Text, "company") || !strings.Contains(upd.Text, "status") {
		t.Errorf("update entry = %+v, want by %s at +1m naming company and status", upd, x.user.Name)
	}
	if c := d.Activity[3]; c.ActorName != x.user.Name || !c.At.Equal(t0) {
		t.Errorf("creation entry = %+v", c)
	}
}

// --- Walls between workspaces ----------------------------------------------

func TestALeadOfAnotherWorkspaceIsNotFound(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	other := mustWorkspace(t, x.s, "Globex")
	otherActor := store.UserActor(mustUser(t, x.s, other, "sam@globex.example"))
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee")})
	before, _ := x.s.LeadDetail(ctx, x.ws.ID, l.ID)

	calls := map[string]func() error{
		"Lead":       func() error { _, err := x.s.Lead(ctx, other.ID, l.ID); return err },
		"LeadDetail": func() error { _, err := x.s.LeadDetail(ctx, other.ID, l.ID); return err },
		"UpdateLead": func() error {
			_, err := x.s.UpdateLead(ctx, other, otherActor, l.ID, store.LeadInput{Name: ptr("Taken Over")})
			return err
		},
		"AddNote": func() error { _, err := x.s.AddNote(ctx, other.ID, otherActor, l.ID, "hello"); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, store.ErrLeadNotFound) || store.ErrorCode(err) != store.ELeadNotFound {
			t.Errorf("%s from another workspace: err = %v, want ErrLeadNotFound", name, err)
		}
	}
	after, _ := x.s.LeadDetail(ctx, x.ws.ID, l.ID)
	if after.Lead.Name != "Dana Lee" || len(after.Notes) != 0 || len(after.Activity) != len(before.Activity) {
		t.Errorf("the lead changed through another workspace: %+v", after)
	}
}

func TestMalformedOrUnknownLeadIDsAreNotFound(t *testing.T) {
	ctx := context.Background()
	x := newLeadSetup(t)
	l := mustLead(t, x.s, x.ws, x.actor, store.LeadInput{Name: ptr("Dana Lee")})
	for _, id := range []string{
		"", "lead_", "lead_123", "lead_0123456789abcdef0", "lead_zzzzzzzzzzzzzzzz", strings.ToUpper(l.ID),
		" " + l.ID, l.ID + "\n", "lead_0000000000000000", "lead_' OR '1'='1", "ws_0123456789abcdef", "../" + l.ID,
	} {
		for name, call := range map[string]func() error{
			"Lead":       func() error { _, err := x.s.Lead(ctx, x.ws.ID, id); return err },
			"LeadDetail": func() error { _, err := x.s.LeadDetail(ctx, x.ws.ID, id); return err },
			"UpdateLead": func() error {
				_, err := x.s.UpdateLead(ctx, x.ws, x.actor, id, store.LeadInput{Name: ptr("X")})
				return err
			},
			"AddNote": func() error { _, err := x.s.AddNote(ctx, x.ws.ID, x.actor, id, "hello"); return err },
		} {
			if err := call(); !errors.Is(err, store.ErrLeadNotFound) {
				t.Errorf("%s(%q): err = %v, want ErrLeadNotFound", name, id, err)
			}
		}
	}
}
