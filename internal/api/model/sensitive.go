package model

// SensitiveMembers returns the members of an operation's input whose values
// must not appear in logs or audit records, as paths of JSON keys: a dot
// between members, "[]" for the elements of a list and "{}" for the values of
// a map, as in "SecretString" or "Items[].Plaintext". A member whose own
// shape is sensitive is listed and not descended into. The paths are in
// model order; the result is nil for an unknown operation or one with no
// sensitive input.
func (s *Service) SensitiveMembers(operation string) []string {
	in, ok := s.Input(operation)
	if !ok || in == nil {
		return nil
	}
	var paths []string
	var walk func(sh *Shape, path string, seen map[*Shape]bool)
	walk = func(sh *Shape, path string, seen map[*Shape]bool) {
		if sh.Sensitive {
			paths = append(paths, path)
			return
		}
		if seen[sh] {
			return // a recursive shape: its members were listed on the way in
		}
		seen[sh] = true
		defer delete(seen, sh)
		switch sh.Type {
		case Structure:
			for i := range sh.Members {
				m := &sh.Members[i]
				p := m.Key()
				if path != "" {
					p = path + "." + p
				}
				walk(s.shapes[m.Shape], p, seen)
			}
		case List:
			walk(s.shapes[sh.ListMember], path+"[]", seen)
		case Map:
			walk(s.shapes[sh.MapValue], path+"{}", seen)
		}
	}
	walk(in, "", map[*Shape]bool{})
	return paths
}
