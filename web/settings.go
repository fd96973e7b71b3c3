package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leadkeep/store"
	"leadkeep/views"
)

func (s *Server) settingsData(c echo.Context) (views.SettingsData, error) {
	ws := workspace(c)
	users, err := s.store.Users(c.Request().Context(), ws.ID)
	if err != nil {
		return views.SettingsData{}, err
	}
	keys, err := s.store.APIKeys(c.Request().Context(), ws.ID)
	if err != nil {
		return views.SettingsData{}, err
	}
	return views.SettingsData{Workspace: ws, Users: users, Me: currentSession(c).User.ID, Keys: keys, KeyRole: string(store.RoleAgent),
		RetentionDays: strconv.Itoa(ws.RetentionDays), PurgeHour: strconv.Itoa(ws.PurgeHour), Timezone: ws.Timezone,
		ReasonRequired: ws.ReasonRequired, NewUser: store.NewUser{Role: string(store.RoleAgent)}}, nil
}

func (s *Server) settingsPage(c echo.Context) error {
	d, err := s.settingsData(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SettingsPage(s.pageFor(c, "Settings", "settings"), d), nil)
}

// fieldErrors are the per-field messages of a validation error, or nil with the
// error itself when it is another kind.
func fieldErrors(err error) (map[string]string, error) {
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.EInvalid && len(se.Fields) > 0 {
		return se.Fields, nil
	}
	return nil, err
}

func (s *Server) saveSettings(c echo.Context) error {
	d, err := s.settingsData(c)
	if err != nil {
		return err
	}
	d.RetentionDays, d.PurgeHour = strings.TrimSpace(c.FormValue("retention_days")), strings.TrimSpace(c.FormValue("purge_hour"))
	d.Timezone, d.ReasonRequired = strings.TrimSpace(c.FormValue("timezone")), truthy(c.FormValue("reason_required"))
	d.Errors = map[string]string{}
	retention, rerr := strconv.Atoi(d.RetentionDays)
	if rerr != nil {
		d.Errors["retention_days"] = "must be a whole number of days, 0 to 365"
	}
	hour, herr := strconv.Atoi(d.PurgeHour)
	if herr != nil {
		d.Errors["purge_hour"] = "must be an hour from 0 to 23"
	}
	if len(d.Errors) == 0 {
		_, err = s.store.UpdateSettings(c.Request().Context(), workspace(c).ID, actor(c),
			store.Settings{RetentionDays: retention, PurgeHour: hour, Timezone: d.Timezone, ReasonRequired: d.ReasonRequired})
		if d.Errors, err = fieldErrors(err); err != nil {
			return err
		}
	}
	if len(d.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.SettingsPage(s.pageFor(c, "Settings", "settings"), d), nil)
	}
	s.flash(c, "Settings saved.")
	return redirectAfterPost(c, "/settings")
}

func (s *Server) addUser(c echo.Context) error {
	in := store.NewUser{WorkspaceID: workspace(c).ID, Email: c.FormValue("email"), Name: c.FormValue("name"),
		Role: c.FormValue("role"), Password: c.FormValue("password")}
	u, err := s.store.AddMember(c.Request().Context(), actor(c), in)
	if err != nil {
		var se *store.Error
		if !errors.As(err, &se) || len(se.Fields) == 0 || (se.Code != store.EInvalid && se.Code != store.EConflict) {
			return err
		}
		d, derr := s.settingsData(c)
		if derr != nil {
			return derr
		}
		in.Password = ""
		d.NewUser, d.UserErrors = in, se.Fields
		status := http.StatusUnprocessableEntity
		if se.Code == store.EConflict {
			status = http.StatusConflict
		}
		return render(c, status, views.SettingsPage(s.pageFor(c, "Settings", "settings"), d), nil)
	}
	s.flash(c, u.Name+" can now sign in as "+string(u.Role)+".")
	return redirectAfterPost(c, "/settings")
}

func (s *Server) changeRole(c echo.Context) error {
	u, err := s.store.ChangeRole(c.Request().Context(), workspace(c).ID, actor(c), c.Param("userId"), c.FormValue("role"))
	if err != nil {
		return err
	}
	s.flash(c, u.Name+" is now "+string(u.Role)+".")
	return redirectAfterPost(c, "/settings")
}

func (s *Server) deactivateUser(c echo.Context) error {
	u, err := s.store.Deactivate(c.Request().Context(), workspace(c).ID, actor(c), c.Param("userId"))
	if err != nil {
		return err
	}
	s.flash(c, u.Name+" can no longer sign in; their sessions have ended.")
	return redirectAfterPost(c, "/settings")
}

func (s *Server) reactivateUser(c echo.Context) error {
	u, err := s.store.Reactivate(c.Request().Context(), workspace(c).ID, actor(c), c.Param("userId"))
	if err != nil {
		return err
	}
	s.flash(c, u.Name+" can sign in again.")
	return redirectAfterPost(c, "/settings")
}

// --- operators

func (s *Server) switchWorkspace(c echo.Context) error {
	sess := currentSession(c)
	ws, err := s.store.SwitchWorkspace(c.Request().Context(), sess.ID, sess.User, c.FormValue("workspace"))
	if err != nil {
		return err
	}
	if ws.ID == sess.User.WorkspaceID {
		s.flash(c, "Back in your own workspace.")
	} else {
		s.flash(c, "You are now acting in "+ws.Name+".")
	}
	return redirectAfterPost(c, "/leads")
}

// createKey makes an API key and shows its secret on the page, once; it never goes
// into a cookie or a redirect.
func (s *Server) createKey(c echo.Context) error {
	name, role := c.FormValue("name"), c.FormValue("role")
	k, secret, err := s.store.CreateAPIKey(c.Request().Context(), workspace(c).ID, actor(c), name, role)
	fields, err := fieldErrors(err)
	if err != nil {
		return err
	}
	d, derr := s.settingsData(c)
	if derr != nil {
		return derr
	}
	status := http.StatusOK
	if fields != nil {
		status, d.KeyName, d.KeyRole, d.KeyErrors = http.StatusUnprocessableEntity, name, role, fields
	} else {
		d.NewKey, d.NewSecret = &k, secret
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, status, views.SettingsPage(s.pageFor(c, "Settings", "settings"), d), nil)
}

func (s *Server) revokeKey(c echo.Context) error {
	k, err := s.store.RevokeAPIKey(c.Request().Context(), workspace(c).ID, actor(c), c.Param("keyId"))
	if err != nil {
		return err
	}
	s.flash(c, "The key "+k.Name+" is revoked; requests with it now fail.")
	return redirectAfterPost(c, "/settings#keys")
}
