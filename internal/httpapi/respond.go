package httpapi

import (
	"net/http"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/labstack/echo/v4"
)

// record writes one record with its ETag.
func record(c echo.Context, status int, rec domain.Record) error {
	c.Response().Header().Set("ETag", etag(rec.RecordMeta()))
	return c.JSON(status, rec)
}

func noContent(c echo.Context, err error) error {
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// list writes a page answer (or the error that prevented it).
func list[T any](c echo.Context, page T, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// one writes a record answer (or the error that prevented it).
func one[T domain.Record](c echo.Context, status int, rec T, err error) error {
	if err != nil {
		return err
	}
	return record(c, status, rec)
}
