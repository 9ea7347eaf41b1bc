"""Plans in spreadsheets, in the coordinator's pages: upload, preview (nothing written), confirm; exports;
and a partner's own sheet of steps and results.

The uploaded file is kept between the preview and the confirmation in Django's storage
(django-import-export's MediaStorage, so that it works whatever server answers the confirmation); the
confirmation form carries its name signed with the person and the plan, so nobody can confirm a file
they did not upload.
"""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.tmp_storages import MediaStorage

from lib.access import require
from lib.converters import whole_number
from lib.spreadsheets import CONTENT_TYPES, MAX_FILE_SIZE, SpreadsheetError, check_file_size, spreadsheet_response
from lib.uploads import accepts_files
from partners.models import Organisation
from plans.models import Plan
from plans.rules import organisation_ids
from plans.views import get_plan_for

from .spreadsheets import (
    export_dataset,
    import_sheet,
    partner_dataset,
    read_partner_sheet,
    read_sheet,
    save_partner_sheet,
    template_dataset,
    unknown_organisations,
)

TOKEN_SALT = "plans.spreadsheets"
TOKEN_MAX_AGE = 24 * 3600
# The pages that take a spreadsheet: one file, read no further than the reader's limit (lib/uploads.py).
spreadsheet_upload = accepts_files(lambda: MAX_FILE_SIZE)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("XLSX, ODS ou CSV, 5 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )


class NewPlanForm(UploadForm):
    title = forms.CharField(
        label=gettext_lazy("Titre du plan"),
        max_length=200,
        help_text=gettext_lazy("Ses années et sa région en sont tirées (« … Lanaudière 2025-2027 »)."),
        widget=forms.TextInput(attrs={"data-slug-source": "id_slug"}),
    )
    slug = forms.SlugField(
        label=gettext_lazy("Identifiant dans l’adresse"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("Tiré du titre si vous le laissez vide : lettres, chiffres, tirets."),
    )
    region = forms.CharField(
        label=gettext_lazy("Région"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Tirée du titre si vous la laissez vide."),
    )
    field_order = ["title", "slug", "region", "file"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("title") and not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = slugify(cleaned["title"])[:80].strip("-")
            if not cleaned["slug"]:
                self.add_error("slug", _("Indiquez un identifiant : le titre n’en donne aucun."))
        if cleaned.get("slug") and Plan.objects.filter(slug=cleaned["slug"]).exists():
            self.add_error("slug", _("Un plan a déjà l’identifiant « %(slug)s » : choisissez-en un autre.")
                           % {"slug": cleaned["slug"]})
        return cleaned


def read_upload(upload):
    """The uploaded file's bytes; a file over 5 MB is refused before it is read."""
    check_file_size(upload.size)
    return upload.read()


def keep_upload(request, content, name, **extra):
    """Store a file that passed its preview until the confirmation; returns its signed token."""
    storage = MediaStorage()
    storage.save(content)
    data = {"file": storage.name, "name": name, "user": request.user.pk, **extra}
    return signing.dumps(data, salt=TOKEN_SALT)


def kept_upload(request, **expected):
    """The file a confirmation refers to: (content, token data); 403 if the token is not this person's."""
    try:
        data = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise PermissionDenied from None
    if data["user"] != request.user.pk or any(data.get(key) != value for key, value in expected.items()):
        raise PermissionDenied
    try:
        return MediaStorage(name=data["file"]).read(), data
    except FileNotFoundError:
        return None, data


def forget_upload(data):
    MediaStorage(name=data["file"]).remove()


def organisation_choices(request, sheet):
    """The coordinator's choice for each organisation not known exactly: the proposal's pk or "new"."""
    choices = {}
    for index, match in enumerate(unknown_organisations(sheet)):
        value = request.POST.get(f"organisation_{index}")
        if value is None:
            continue
        if value != "new" and not (match.proposal and value == str(match.proposal.pk)):
            value = "new"
        choices[match.text.casefold()] = int(value) if value != "new" else "new"
    return choices


# The coordinator's page ---------------------------------------------------------------------------------


def preview(request, form, context, import_to, keep_for):
    """Read the uploaded file and preview its import into `context`; the file is kept for the confirmation
    only when the preview has no error. A file that cannot be read gets its error at the form's field."""
    upload = form.cleaned_data["file"]
    try:
        content = read_upload(upload)
        sheet = read_sheet(content, upload.name)
    except SpreadsheetError as error:
        form.add_error("file", str(error))
        return
    report = import_sheet(sheet, **import_to)
    context.update(report=report, sheet=sheet)
    if report.ok:
        context["token"] = keep_upload(request, content, upload.name, **keep_for)


@spreadsheet_upload
def plan_spreadsheet(request, slug):
    """Import onto this plan (upload → preview) and its exports."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.change_plan", plan)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form}
    if request.method == "POST" and form.is_valid():
        preview(request, form, context, import_to={"plan": plan}, keep_for={"plan": plan.slug})
    return render(request, "tableur/plan_spreadsheet.html", context)


@require_POST
def plan_spreadsheet_confirm(request, slug):
    """Import the file previewed, for real: everything or, on any error, nothing."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.change_plan", plan)
    content, data = kept_upload(request, plan=plan.slug)
    if content is None:
        messages.error(request, _("Le fichier déposé n’est plus disponible : déposez-le de nouveau."))
        return redirect("tableur:spreadsheet", plan.slug)
    sheet = read_sheet(content, data["name"])
    choices = organisation_choices(request, sheet)
    report = import_sheet(sheet, plan=plan, commit=True, choices=choices, user=request.user)
    if not report.committed:
        return render(request, "tableur/plan_spreadsheet.html",
                      {"plan": plan, "form": UploadForm(), "report": report, "sheet": sheet})
    forget_upload(data)
    messages.success(request, _("Le fichier « %(name)s » est importé.") % {"name": data["name"]})
    return redirect(plan)


def plan_export(request, slug, file_format):
    """The whole plan as XLSX or CSV, in the import format plus status, progress and steps."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "tableur.export_plan", plan)
    if file_format not in CONTENT_TYPES:
        raise Http404
    return spreadsheet_response(export_dataset(plan), f"{plan.slug}.{file_format}", file_format)


def spreadsheet_template(request):
    """The format, empty but for one example row."""
    return spreadsheet_response(template_dataset(), "modele-plan.xlsx", "xlsx")


# A new plan ---------------------------------------------------------------------------------------------


@spreadsheet_upload
def new_plan_import(request):
    """A new plan from a spreadsheet, for those who may create plans; its importer becomes coordinator."""
    if not request.user.has_perm("plans.add_plan"):
        raise PermissionDenied
    form = NewPlanForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        new_plan = {key: form.cleaned_data[key] for key in ("title", "slug", "region")}
        preview(request, form, context, import_to={"new_plan": new_plan}, keep_for={"new_plan": new_plan})
    return render(request, "tableur/new_plan.html", context)


@require_POST
def new_plan_confirm(request):
    if not request.user.has_perm("plans.add_plan"):
        raise PermissionDenied
    content, data = kept_upload(request)
    new_plan = data.get("new_plan")
    if content is None or new_plan is None or Plan.objects.filter(slug=new_plan["slug"]).exists():
        messages.error(request, _("Cet import n’est plus possible : déposez le fichier de nouveau."))
        return redirect("tableur:new_plan_import")
    sheet = read_sheet(content, data["name"])
    report = import_sheet(sheet, new_plan=new_plan, commit=True, choices=organisation_choices(request, sheet),
                          user=request.user)
    if not report.committed:
        return render(request, "tableur/new_plan.html", {"form": NewPlanForm(), "report": report})
    forget_upload(data)
    messages.success(request, _("Le plan « %(title)s » est créé.") % {"title": report.plan.title})
    return redirect(report.plan)


# A partner's own sheet ----------------------------------------------------------------------------------


def partner_organisation(request, plan):
    """The organisation the partner acts for in this plan (chosen with ?organisation= when they act for
    several here)."""
    require(request.user, "tableur.fill_partner_sheet", plan)
    organisations = Organisation.objects.filter(pk__in=organisation_ids(request.user, plan.pk))
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    wanted = whole_number(wanted or "")
    chosen = organisations.filter(pk=wanted).first() if wanted is not None else None
    organisation = chosen or organisations.first()
    if organisation is None:
        raise PermissionDenied
    return organisation, organisations


@spreadsheet_upload
def partner_sheet(request, slug):
    """The partner's sheet: download it, fill it offline, upload it for a preview."""
    plan = get_plan_for(request.user, slug)
    organisation, organisations = partner_organisation(request, plan)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form, "organisation": organisation, "organisations": organisations}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = read_upload(upload)
            report = read_partner_sheet(content, upload.name, plan, request.user, organisation)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            context["report"] = report
            if report.ok:
                context["token"] = keep_upload(request, content, upload.name, plan=plan.slug,
                                               organisation=organisation.pk)
    return render(request, "tableur/partner_sheet.html", context)


def partner_sheet_download(request, slug):
    plan = get_plan_for(request.user, slug)
    organisation, _organisations = partner_organisation(request, plan)
    name = slugify(organisation.acronym or organisation.name)
    return spreadsheet_response(partner_dataset(plan, organisation), f"{plan.slug}-{name}.xlsx", "xlsx")


@require_POST
def partner_sheet_confirm(request, slug):
    plan = get_plan_for(request.user, slug)
    organisation, _organisations = partner_organisation(request, plan)
    content, data = kept_upload(request, plan=plan.slug, organisation=organisation.pk)
    if content is None:
        messages.error(request, _("Le fichier déposé n’est plus disponible : déposez-le de nouveau."))
        return redirect("tableur:partner_sheet", plan.slug)
    report = read_partner_sheet(content, data["name"], plan, request.user, organisation)
    if not report.ok:
        return render(request, "tableur/partner_sheet.html",
                      {"plan": plan, "form": UploadForm(), "organisation": organisation, "report": report})
    save_partner_sheet(report, request.user, organisation)
    forget_upload(data)
    messages.success(request, _(
        "%(steps)s étape(s) inscrite(s) et %(ticks)s étape(s) prévue(s) cochée(s), en attente de validation ; "
        "%(results)s résultat(s) marqué(s) atteint(s)."
    ) % {"steps": len(report.steps), "ticks": len(report.ticks), "results": len(report.achievements)})
    return redirect("suivi:my_actions", plan.slug)
