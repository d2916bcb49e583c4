package api

// newWithQueryOps is New serving the given IAM and STS operation tables
// (nil: the service is absent), for tests with fake handlers.
func newWithQueryOps(o Options, iamTable, stsTable map[string]handler) *Server {
	s := New(o)
	s.query = queryTables(iamTable, stsTable)
	return s
}
