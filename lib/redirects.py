from django.utils.http import url_has_allowed_host_and_scheme


def back(request, default):
    """Where the person came from (a form's `next`), if it is an address on this site; otherwise `default`.
    Only a path is taken: given anything else, redirect() would try it as the name of a view."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default
